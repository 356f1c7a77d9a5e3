"""The command line: a bad setting is one line; serve with no credentials uses the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.artifacts import artifact_path
from tests.live_gateway import free_port

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGCOMMERCE_", "GATEWAY_"))}
    return {**env, **extra}


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"BIGCOMMERCE_STORE_HASH": "abc"}, "BIGCOMMERCE_ACCESS_TOKEN"),
        ({"BIGCOMMERCE_ACCESS_TOKEN": "t"}, "BIGCOMMERCE_STORE_HASH"),
        ({"BIGCOMMERCE_STORE_HASH": "abc", "BIGCOMMERCE_ACCESS_TOKEN": "t"}, "GATEWAY_SECRET"),
        ({"GATEWAY_DEADLINE_S": "soon"}, "GATEWAY_DEADLINE_S"),
        ({"BIGCOMMERCE_API_URL": "http://api.example.com"}, "BIGCOMMERCE_API_URL"),
        ({"GATEWAY_GRAPHIQL": "maybe"}, "GATEWAY_GRAPHIQL"),
        ({"GATEWAY_CLIENT_KEYS": " , "}, "GATEWAY_CLIENT_KEYS"),
    ],
)
def test_bad_configuration_stops_with_one_line(env: dict[str, str], names: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--port", "1"],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and names in lines[0] and "Traceback" not in run.stderr


def test_serve_without_credentials_runs_the_flow_on_the_sandbox() -> None:
    port = free_port()
    log = artifact_path("cli-serve.log")
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--port", str(port)],
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        body = (
            b'{"query": "mutation { createCart(input: {lineItems: [{productId: 118, '
            b'quantity: 1}]}) { cart { id lineItems { productId } } errors { code } } }"}'
        )
        request = urllib.request.Request(
            f"{base}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            answer = resp.read().decode()
        assert '"productId":118' in answer and '"errors":[]' in answer
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "sandbox" in log.read_text()


@pytest.mark.parametrize(
    ("env", "args", "names"),
    [
        ({}, ["webhooks", "list"], "BIGCOMMERCE_STORE_HASH"),
        (
            {"BIGCOMMERCE_STORE_HASH": "abc", "BIGCOMMERCE_ACCESS_TOKEN": "t",
             "GATEWAY_SECRET": "s" * 32},
            ["webhooks", "register", "--destination", "https://gw.example/webhooks/bigcommerce"],
            "GATEWAY_WEBHOOK_SECRET",
        ),
    ],
)  # fmt: skip
def test_webhooks_commands_need_a_store_and_a_secret(
    env: dict[str, str], args: list[str], names: str
) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and names in lines[0] and "Traceback" not in run.stderr
