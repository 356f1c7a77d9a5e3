"""The image as an operator runs it: read-only, no network but loopback, non-root.

One container serves every check but the last; stopping it is the SIGTERM check, so
that test runs last in the module (pytest keeps file order).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.container.container_support import (
    ROOT,
    Build,
    PendingBuild,
    Running,
    podman,
    remove_container,
    require_tools,
    start,
    ulimits,
    wait_until_answering,
)
from tests.needs import unavailable

pytestmark = pytest.mark.slow

CREATE_CART = """
mutation Create($input: CreateCartInput!) {
  createCart(input: $input) { cart { id } errors { code message } }
}
"""
CHECKOUT = "query Checkout($id: ID!) { checkout(id: $id) { id } }"


def create_cart(running: Running) -> str:
    line_items = [{"productId": 111, "quantity": 1}]
    status, created = running.request(
        "/graphql", {"query": CREATE_CART, "variables": {"input": {"lineItems": line_items}}}
    )
    assert status == 200, created
    payload = created["data"]["createCart"]
    assert payload["errors"] == []
    return str(payload["cart"]["id"])


def read_checkout_id(running: Running, cart_id: str) -> str:
    status, read = running.request("/graphql", {"query": CHECKOUT, "variables": {"id": cart_id}})
    assert status == 200, read
    return str(read["data"]["checkout"]["id"])


def test_healthz_and_a_graphql_round_trip_to_the_embedded_sandbox(running: Running) -> None:
    assert running.request("/healthz")[0] == 200
    cart_id = create_cart(running)
    assert read_checkout_id(running, cart_id) == cart_id


def test_it_runs_as_a_user_other_than_root(running: Running) -> None:
    status = Path(f"/proc/{running.pid}/status").read_text()
    real, effective = re.search(r"^Uid:\s+(\d+)\s+(\d+)", status, re.MULTILINE).groups()  # type: ignore[union-attr]
    assert (real, effective) == ("10001", "10001")
    assert podman("exec", running.container_id, "id", "-u").stdout.strip() == "10001"


def test_the_healthcheck_follows_the_port_it_serves_on(running: Running) -> None:
    checked = podman("healthcheck", "run", running.container_id, check=False)
    assert checked.returncode == 0, (checked.stdout, checked.stderr)


def test_the_root_filesystem_is_read_only_and_tmp_is_writable(running: Running) -> None:
    assert running.inspect()["HostConfig"]["ReadonlyRootfs"] is True
    refused = podman("exec", running.container_id, "touch", "/opt/written", check=False)
    assert refused.returncode != 0
    assert "Read-only file system" in refused.stderr
    podman("exec", running.container_id, "touch", "/tmp/written")


def test_a_production_replica_reaches_the_sandbox_on_its_namespace_loopback(built: Build) -> None:
    """compose.yaml's topology: the store in its own container, a replica in production
    mode (store hash, token, secret) joining its network namespace, upstream on 127.0.0.1."""
    sandbox = start(
        built.image_id,
        *("--network", "none", "--no-healthcheck"),
        command=[
            *("checkout-gateway", "sandbox", "--host", "127.0.0.1"),
            *("--port", "8100", "--payments-port", "8101"),
            *("--store-hash", "sandbox", "--token", "sandbox-token"),
        ],
        port=8100,
    )
    replica: Running | None = None
    try:
        wait_until_answering(sandbox, path="")
        environment = {
            "GATEWAY_PORT": "8001",
            "BIGCOMMERCE_STORE_HASH": "sandbox",
            "BIGCOMMERCE_ACCESS_TOKEN": "sandbox-token",
            "BIGCOMMERCE_API_URL": "http://127.0.0.1:8100",
            "BIGCOMMERCE_PAYMENTS_URL": "http://127.0.0.1:8101",
            "GATEWAY_SECRET": "a-secret-of-32-characters-at-least",
        }
        replica = start(
            built.image_id,
            *("--network", f"container:{sandbox.container_id}", "--tmpfs", "/tmp"),
            *(
                option
                for name, value in environment.items()
                for option in ("--env", f"{name}={value}")
            ),
            port=8001,
        )
        wait_until_answering(replica)
        cart_id = create_cart(replica)
        assert read_checkout_id(replica, cart_id) == cart_id
    finally:
        if replica is not None:
            remove_container(replica.container_id)
        remove_container(sandbox.container_id)


def test_the_build_context_is_only_what_the_dockerfile_copies(
    context: tuple[Path, str], tmp_path: Path
) -> None:
    """.dockerignore, applied to this checkout (with its .venv, tests, node_modules...)."""
    dockerfile = tmp_path / "Dockerfile.context"
    dockerfile.write_text(f"FROM {context[1]}\nCOPY . /context\n")
    iidfile = tmp_path / "iid"
    podman(
        *("build", "--pull=never", "--network", "none", "--layers=false", *ulimits()),
        *("--file", str(dockerfile), "--iidfile", str(iidfile), str(ROOT)),
    )
    image_id = iidfile.read_text().strip()
    try:
        listed = podman(
            "run", "--rm", "--network", "none", *ulimits(), image_id, "ls", "-A", "/context"
        )
        compiled = podman(
            *("run", "--rm", "--network", "none", *ulimits(), image_id),
            *("find", "/context", "-name", "__pycache__"),
        )
    finally:
        podman("rmi", "--force", image_id, check=False)
    assert sorted(listed.stdout.split()) == [
        "README.md",
        "gateway",
        "pyproject.toml",
        "requirements.lock",
    ]
    assert compiled.stdout == ""


def pin(line: str) -> str:
    """``Name_x==1.0`` as ``name-x==1.0`` (pip freeze and the lock spell names differently)."""
    name, _, version = line.partition("==")
    return f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}"


def test_two_builds_of_one_commit_install_the_locked_versions(
    built: Build, second_build: PendingBuild
) -> None:
    requirements = [
        line for line in (ROOT / "requirements.lock").read_text().splitlines() if line[:1].isalnum()
    ]
    locked = {pin(line.split(" ")[0]) for line in requirements}
    conditional = {pin(line.split(" ")[0]) for line in requirements if " ; " in line}
    first = built.pip_freeze()
    # The second build ran from scratch (--no-cache), alongside the checks above.
    again = second_build.wait().pip_freeze()
    assert first == again
    own = [line for line in first if line.startswith("checkout-gateway @ ")]
    assert len(own) == 1
    installed = {pin(line) for line in first if line not in own}
    assert installed <= locked, installed - locked
    # Left out: only pins whose marker (Python version, platform) excludes this image.
    assert locked - installed <= conditional, locked - installed


def compose(*args: str, secret: str | None) -> subprocess.CompletedProcess[str]:
    require_tools("podman", root=False)  # podman-compose asks `podman version` first
    tool = Path(sys.executable).with_name("podman-compose")
    if not tool.exists():
        unavailable("podman-compose is missing (pip install -e '.[test]')")
    env = {k: v for k, v in os.environ.items() if k != "GATEWAY_SECRET"}
    if secret is not None:
        env["GATEWAY_SECRET"] = secret
    return subprocess.run(
        [str(tool), "-f", str(ROOT / "compose.yaml"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env=env,
    )


def test_the_compose_file_validates_two_replicas_redis_and_the_sandbox() -> None:
    done = compose("config", secret="a-secret-of-32-characters-at-least")
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    replicas = {name for name, s in services.items() if "GATEWAY_PORT" in s.get("environment", {})}
    assert replicas == {"gateway-1", "gateway-2"}
    assert {"redis", "sandbox"} <= set(services)
    assert services["sandbox"]["command"][:2] == ["checkout-gateway", "sandbox"]
    for name in replicas:
        env = services[name]["environment"]
        assert env["GATEWAY_REDIS_URL"].startswith("redis://redis:")
        assert env["BIGCOMMERCE_API_URL"].startswith("http://127.0.0.1:")
        assert services[name]["network_mode"] == "service:sandbox"
        assert services[name]["read_only"] is True


def test_the_compose_file_refuses_to_start_replicas_without_a_shared_secret() -> None:
    done = compose("config", secret=None)
    assert done.returncode != 0
    assert "GATEWAY_SECRET" in done.stderr


def test_sigterm_stops_it_cleanly_within_ten_seconds(running: Running) -> None:
    stopped = podman("stop", "--time", "10", running.container_id, check=False)
    assert stopped.returncode == 0, stopped.stderr
    # Had SIGTERM not ended it within 10 s, podman would have sent SIGKILL (exit 137).
    assert "SIGKILL" not in stopped.stderr
    state = running.inspect()["State"]
    assert state["Running"] is False
    assert state["ExitCode"] == 0, state
