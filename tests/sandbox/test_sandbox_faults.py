"""Fault injection, rate limits, the request record and the ways to run the sandbox."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import aiohttp
import pytest

from gateway.sandbox import Fault, SandboxServer, start_in_thread
from tests.sandbox.sandbox_client import Client, card

PAYMENTS = r"/stores/sandbox/payments"


async def test_status_fault_then_normal(client: Client, sandbox: SandboxServer) -> None:
    sandbox.faults.add(method="POST", path=r".*/v3/carts", fault=Fault.status(500), times=2)
    for _ in range(2):
        async with client.session.post(f"{client.base}/v3/carts", json={}) as resp:
            assert resp.status == 500
            assert (await resp.json())["status"] == 500
    await client.create_cart()  # the third goes through


async def test_status_fault_with_custom_body_and_headers(
    client: Client, sandbox: SandboxServer
) -> None:
    sandbox.faults.add(
        "GET",
        r".*/v2/orders/.*",
        Fault.status(503, body={"x": 1}, headers={"X-A": "b"}),
        times=None,
    )
    for _ in range(3):
        async with client.session.get(f"{client.base}/v2/orders/1") as resp:
            assert resp.status == 503 and resp.headers["X-A"] == "b"
            assert await resp.json() == {"x": 1}
    sandbox.faults.clear()
    async with client.session.get(f"{client.base}/v2/orders/1") as resp:
        assert resp.status == 401  # handled normally again (no token sent)


async def test_html_502(client: Client, sandbox: SandboxServer) -> None:
    sandbox.faults.add(path=r".*", fault=Fault.html_502())
    async with client.session.get(f"{client.base}/v3/checkouts/x") as resp:
        assert resp.status == 502 and resp.content_type == "text/html"
        assert "502 Bad Gateway" in await resp.text()


async def test_delay_then_handled(client: Client, sandbox: SandboxServer) -> None:
    sandbox.faults.add("POST", r".*/v3/carts", Fault.delay(0.3))
    started = time.monotonic()
    await client.create_cart()
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("with_headers", [True, False])
async def test_rate_limit_fault(client: Client, sandbox: SandboxServer, with_headers: bool) -> None:
    sandbox.faults.add(
        "GET", r".*", Fault.rate_limit(reset_ms=1500, retry_after_s=2, with_headers=with_headers)
    )
    async with client.session.get(f"{client.base}/v3/checkouts/x") as resp:
        assert resp.status == 429 and (await resp.json())["status"] == 429
        assert resp.headers["X-Retry-After"] == "2"
        assert ("X-Rate-Limit-Time-Reset-Ms" in resp.headers) is with_headers
        if with_headers:
            assert resp.headers["X-Rate-Limit-Time-Reset-Ms"] == "1500"


async def test_drop_before_handling(client: Client, sandbox: SandboxServer) -> None:
    sandbox.faults.add("POST", r".*/v3/carts", Fault.drop())
    carts_before = len(sandbox.state.carts)
    with pytest.raises(aiohttp.ClientError):
        body = {"line_items": [{"product_id": 111, "quantity": 1}]}
        await client.session.post(
            f"{client.base}/v3/carts", json=body, headers={"X-Auth-Token": sandbox.token}
        )
    assert len(sandbox.state.carts) == carts_before


async def test_drop_after_effect_takes_the_payment(client: Client, sandbox: SandboxServer) -> None:
    order_id = await client.order()
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.drop_after_effect(), times=1)
    with pytest.raises(aiohttp.ClientError):
        await client.pay(order_id, card())
    assert sandbox.state.orders[order_id].status_id == 11
    assert len(sandbox.state.transactions[order_id]) == 1


async def test_rate_limit_quota(client: Client, sandbox: SandboxServer) -> None:
    sandbox.set_rate_limit(quota=3, window_ms=30_000)
    statuses = []
    for _ in range(4):
        async with client.session.get(
            f"{client.base}/v2/orders/1", headers={"X-Auth-Token": sandbox.token}
        ) as resp:
            statuses.append(resp.status)
            left = resp.headers["X-Rate-Limit-Requests-Left"]
    assert statuses == [404, 404, 404, 429]
    assert left == "0"
    assert int(resp.headers["X-Rate-Limit-Time-Reset-Ms"]) > 0 and resp.headers["X-Retry-After"]
    sandbox.set_rate_limit(None)
    async with client.session.get(f"{client.base}/v2/orders/1") as resp:
        assert resp.status == 401
        assert resp.headers["X-Rate-Limit-Requests-Quota"]


async def test_payments_host_has_its_own_quota(client: Client, sandbox: SandboxServer) -> None:
    sandbox.set_payments_rate_limit(quota=1, window_ms=4000)
    sandbox.set_rate_limit(None)
    order_id = await client.order()
    assert (await client.pay(order_id, card("4000000000000002"))).status == 422
    reply = await client.pay(order_id, card())
    assert reply.status == 429
    assert reply.headers["X-Rate-Limit-Requests-Quota"] == "1"


async def test_default_limits_never_trip(client: Client) -> None:
    replies = await asyncio.gather(*(client.call("GET", "/v2/orders/1") for _ in range(200)))
    assert {r.status for r in replies} == {404}
    headers = replies[0].headers
    for name in ("Window-Ms", "Reset-Ms", "Requests-Quota", "Requests-Left"):
        assert f"X-Rate-Limit-{name}" in headers or f"X-Rate-Limit-Time-{name}" in headers


async def test_requests_are_recorded(client: Client, sandbox: SandboxServer) -> None:
    order_id = await client.order()
    await client.pay(order_id, card())
    recorded = sandbox.requests
    assert [r.host for r in recorded].count("payments") == 1
    cart = next(r for r in recorded if r.path.endswith("/v3/carts"))
    assert cart.method == "POST" and cart.query == {"include": "redirect_urls"}
    assert cart.headers["x-auth-token"] == sandbox.token
    assert cart.json()["line_items"][0]["product_id"] == 111
    payment = next(r for r in recorded if r.host == "payments")
    assert payment.headers["Authorization"].startswith("PAT ")
    sent = payment.json()["payment"]["instrument"]
    assert sent["number"] == "411111******1111" and sent["verification_value"] == "***"
    sandbox.clear_requests()
    assert sandbox.requests == []


async def test_start_in_thread() -> None:
    handle = start_in_thread(
        host="127.0.0.1", port=0, payments_port=0, store_hash="other", token="t"
    )
    try:
        url = f"{handle.api_url}/stores/other/v2/orders/1"
        async with (
            aiohttp.ClientSession() as session,
            session.get(url, headers={"X-Auth-Token": "t"}) as resp,
        ):
            assert resp.status == 404
        assert handle.payments_url.startswith("http://127.0.0.1:")
    finally:
        handle.stop()


def test_run_prints_one_line_and_stops_on_sigterm() -> None:
    code = "from gateway.sandbox import run; run('127.0.0.1', 0, 0, 'sandbox', 'sandbox-token')"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("sandbox store 'sandbox': management API http://127.0.0.1:")
        assert "/stores/sandbox/v3" in line and "payments API" in line
        proc.terminate()
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
