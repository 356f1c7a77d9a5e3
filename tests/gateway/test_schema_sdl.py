"""schema.graphql, `checkout-gateway schema` and `_service { sdl }` are one and the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gateway.schema import sdl

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_matches_the_code() -> None:
    assert (ROOT / "schema.graphql").read_text() == sdl() + "\n", (
        "schema.graphql is stale: run `checkout-gateway schema > schema.graphql`"
    )


def test_cli_prints_the_sdl() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "gateway", "schema"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert out == sdl() + "\n"


async def test_service_sdl_is_the_same(gateway) -> None:
    status, body = await gateway.post({"query": "{ _service { sdl } }"})
    assert status == 200
    assert body["data"]["_service"]["sdl"] == sdl()
    assert '@key(fields: "id")' in body["data"]["_service"]["sdl"]
