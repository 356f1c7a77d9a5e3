"""``serve --workers 2`` in sandbox mode: one embedded sandbox, one secret, all workers' metrics."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import aiohttp
import pytest

from tests import live_gateway as live
from tests.artifacts import artifact_stream

QUERY = {"query": "query Probe { __typename }", "operationName": "Probe"}


@pytest.mark.slow
async def test_two_workers_share_the_sandbox_and_the_metrics() -> None:
    port = live.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGCOMMERCE_", "GATEWAY_"))}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", "serve", "--port", str(port), "--workers", "2",
        env=env, stdout=artifact_stream("workers.log"), stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            await live.wait_until_ready(http, base, lambda: proc.returncode is None)
            for _ in range(20):  # new connections: both workers get some
                async with (
                    aiohttp.ClientSession() as one,
                    one.post(f"{base}/graphql", json=QUERY) as resp,
                ):
                    assert resp.status == 200
            async with http.get(f"{base}/metrics") as resp:
                text = await resp.text()
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    line = next(line for line in text.splitlines() if line.startswith("gateway_requests_total{"))
    assert 'operation="Probe"' in line
    assert float(line.rsplit(" ", 1)[1]) == 20  # every worker's requests, added up
