"""``serve`` as a process: sandbox mode's own hook, two replicas over Redis, SIGTERM."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from gateway.sandbox import SandboxServer
from tests.flow import no_errors, pay_by_card, unpaid_order
from tests.live_status.served import (
    AUTH,
    DOCUMENT,
    WsSubscriber,
    cli,
    gateway_env,
    metric,
    set_status,
    start_gateway,
)

SHIPPED = 2
MULTIPART = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0",application/json'


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_sandbox_mode_registers_its_own_hook_so_a_payment_reaches_a_subscriber(
    http: aiohttp.ClientSession,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGCOMMERCE_", "GATEWAY_"))}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    gateway = await start_gateway(env, http, "live-status-sandbox-mode.log")
    try:
        order = await unpaid_order(gateway)
        subscriber = await WsSubscriber.open(http, gateway.url, order["id"])
        assert await subscriber.status() == "Incomplete"
        no_errors(await pay_by_card(gateway, order["id"]))
        assert await subscriber.status() == "Awaiting Fulfillment"
        assert metric(await gateway.metrics(), "gateway_webhook_callbacks_total",
                      scope="store/order/statusUpdated") >= 1  # fmt: skip
        await subscriber.ws.close()
    finally:
        await gateway.terminate()


async def test_a_webhook_to_one_replica_reaches_a_subscriber_of_another(
    sandbox_server: SandboxServer, http: aiohttp.ClientSession, redis_url: str
) -> None:
    sandbox_server.reset()
    env = gateway_env(sandbox_server, GATEWAY_REDIS_URL=redis_url)
    replica_a = await start_gateway(env, http, "live-status-replica-a.log")
    replica_b = await start_gateway(env, http, "live-status-replica-b.log")
    try:
        await cli(env, "webhooks", "register", "--destination", replica_a.webhook_url)
        order = await unpaid_order(replica_a)
        subscriber = await WsSubscriber.open(http, replica_b.url, order["id"])
        assert await subscriber.status() == "Incomplete"
        no_errors(await pay_by_card(replica_a, order["id"]))
        assert await subscriber.status() == "Awaiting Fulfillment"
        await set_status(http, sandbox_server, order["number"], SHIPPED)
        assert await subscriber.status() == "Shipped"
        assert await subscriber.nothing_within(0.3)
        callbacks = "gateway_webhook_callbacks_total"
        scope = "store/order/statusUpdated"
        assert metric(await replica_a.metrics(), callbacks, scope=scope) >= 2
        assert metric(await replica_b.metrics(), callbacks, scope=scope) == 0  # all went to A
        await subscriber.ws.close()
    finally:
        await asyncio.gather(replica_a.terminate(), replica_b.terminate())
        sandbox_server.reset()


async def test_sigterm_ends_open_subscriptions_cleanly(
    sandbox_server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    env = gateway_env(sandbox_server)
    gateway = await start_gateway(env, http, "live-status-sigterm.log")
    try:
        order = await unpaid_order(gateway)
        subscriber = await WsSubscriber.open(http, gateway.url, order["id"])
        assert await subscriber.status() == "Incomplete"
        body = {"query": DOCUMENT, "variables": {"orderId": order["id"]}}
        headers = {**AUTH, "Accept": MULTIPART}
        async with http.post(f"{gateway.url}/graphql", json=body, headers=headers) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("multipart/mixed")
            first = await resp.content.readuntil(b'"Incomplete"')
            assert b"orderStatusChanged" in first
            closed = asyncio.create_task(subscriber.close_code())  # a client always reads
            await gateway.terminate()  # uvicorn re-raises SIGTERM once it has shut down
            rest = await asyncio.wait_for(resp.content.read(), 15)
        assert (first + rest).endswith(b"\r\n--graphql--\r\n")  # the stream's proper end
        assert await closed == 1001  # going away, not a reset
    finally:
        await gateway.terminate()


@pytest.mark.slow
async def test_sigterm_ends_open_subscriptions_cleanly_with_workers(
    sandbox_server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    """``serve --workers 2``: uvicorn's supervisor SIGTERMs each worker; each drains as one
    process does (not uvicorn's own 1012, service restart)."""
    env = gateway_env(sandbox_server)
    gateway = await start_gateway(env, http, "live-status-sigterm-workers.log", ("--workers", "2"))
    try:
        order = await unpaid_order(gateway)
        subscribers = [await WsSubscriber.open(http, gateway.url, order["id"]) for _ in range(4)]
        for subscriber in subscribers:  # new connections: likely on both workers
            assert await subscriber.status() == "Incomplete"
        body = {"query": DOCUMENT, "variables": {"orderId": order["id"]}}
        headers = {**AUTH, "Accept": MULTIPART}
        async with http.post(f"{gateway.url}/graphql", json=body, headers=headers) as resp:
            assert resp.status == 200
            first = await resp.content.readuntil(b'"Incomplete"')
            closed = [asyncio.create_task(s.close_code()) for s in subscribers]
            assert await gateway.terminate() == 0
            rest = await asyncio.wait_for(resp.content.read(), 15)
        assert (first + rest).endswith(b"\r\n--graphql--\r\n")
        assert [await code for code in closed] == [1001] * len(subscribers)
    finally:
        await gateway.terminate()
