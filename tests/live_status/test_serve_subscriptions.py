"""Issue 17's "done when", against ``checkout-gateway serve`` (a process) on the sandbox store.

The hooks are registered with ``checkout-gateway webhooks register`` (twice: one hook per
scope however often it runs); the sandbox then calls the gateway back when a payment or a
``PUT /v2/orders/{id}`` moves an order, as BigCommerce does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
import pytest_asyncio

from gateway.sandbox import SandboxServer
from tests.flow import no_errors, pay_by_card, sign_in, unpaid_order
from tests.live_status.served import (
    CLIENT_KEY,
    WEBHOOK_SECRET,
    ServedGateway,
    WsSubscriber,
    cli,
    gateway_env,
    metric,
    order_reads,
    set_status,
    start_gateway,
)
from tests.node_clients import NodeSubscriber

SHIPPED = 2


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def served(
    sandbox_server: SandboxServer, http: aiohttp.ClientSession
) -> AsyncIterator[ServedGateway]:
    sandbox_server.reset()
    env = gateway_env(sandbox_server)
    gateway = await start_gateway(env, http, "live-status-serve.log")
    try:
        for _ in range(2):  # idempotent: the second run changes nothing
            out = await cli(env, "webhooks", "register", "--destination", gateway.webhook_url)
        assert out.count("unchanged hook") == 2, out
        listed = await cli(env, "webhooks", "list")
        lines = listed.strip().splitlines()
        assert len(lines) == 2 and all(gateway.webhook_url in line for line in lines), listed
        assert WEBHOOK_SECRET not in listed  # header names only
        yield gateway
    finally:
        await gateway.terminate()
        sandbox_server.reset()


def callback(number: int, delivery: str) -> dict[str, Any]:
    return {
        "scope": "store/order/statusUpdated",
        "store_id": "1",
        "data": {
            "type": "order",
            "id": number,
            "status": {"previous_status_id": 0, "new_status_id": 11},
        },
        "hash": delivery,
        "created_at": 1700000000,
        "producer": "stores/sandbox",
    }


@pytest.mark.parametrize("transport", ["ws", "multipart"])
async def test_a_signed_in_storefront_client_sees_the_payment_then_the_shipment(
    served: ServedGateway, sandbox_server: SandboxServer, transport: str
) -> None:
    """graphql-ws (its own client) and Apollo Client's HttpLink over multipart, each signed
    in as the customer whose order it is."""
    token = await sign_in(served, 1)
    order = await unpaid_order(served, token)
    client = await NodeSubscriber.open(
        transport, f"{served.url}/graphql", CLIENT_KEY, order["id"], token
    )
    try:
        assert await client.status() == "Incomplete"
        no_errors(await pay_by_card(served, order["id"], token=token))
        assert await client.status() == "Awaiting Fulfillment"
        await set_status(served.http, sandbox_server, order["number"], SHIPPED)
        assert await client.status() == "Shipped"
    finally:
        await client.close()


@pytest.mark.parametrize("transport", ["ws", "multipart"])
async def test_a_customers_order_is_not_found_for_a_guest_or_another_customer(
    served: ServedGateway, transport: str
) -> None:
    order = await unpaid_order(served, await sign_in(served, 1))
    for token in ((), (await sign_in(served, 2),)):
        client = await NodeSubscriber.open(
            transport, f"{served.url}/graphql", CLIENT_KEY, order["id"], *token
        )
        try:
            line = await client.line()
            assert "error" in line and '"NOT_FOUND"' in orjson.dumps(line).decode(), line
        finally:
            await client.close()


async def test_a_forged_callback_is_refused_and_changes_nothing(
    served: ServedGateway, sandbox_server: SandboxServer
) -> None:
    order = await unpaid_order(served)
    subscriber = await WsSubscriber.open(served.http, served.url, order["id"])
    assert await subscriber.status() == "Incomplete"
    before = await served.metrics()
    sandbox_server.clear_requests()
    for headers, status in (({}, 401), ({"X-Webhook-Secret": "not-the-secret-at-all"}, 403)):
        body = callback(order["number"], f"forged-{status}")
        async with served.http.post(served.webhook_url, json=body, headers=headers) as resp:
            assert resp.status == status
    assert await subscriber.nothing_within(0.5)
    assert await order_reads(sandbox_server, order["number"]) == 0  # not even read
    after = await served.metrics()
    refused = metric(after, "gateway_webhook_refusals_total", reason="secret")
    assert refused - metric(before, "gateway_webhook_refusals_total", reason="secret") == 2
    await subscriber.ws.close()


async def test_a_burst_of_duplicate_callbacks_reads_the_order_once(
    served: ServedGateway, sandbox_server: SandboxServer
) -> None:
    order = await unpaid_order(served)
    subscriber = await WsSubscriber.open(served.http, served.url, order["id"])
    assert await subscriber.status() == "Incomplete"
    sandbox_server.clear_requests()
    body = callback(order["number"], "one-delivery-sent-50-times")
    headers = {"X-Webhook-Secret": WEBHOOK_SECRET}

    async def post() -> int:
        async with served.http.post(served.webhook_url, json=body, headers=headers) as resp:
            return resp.status

    assert await asyncio.gather(*(post() for _ in range(50))) == [200] * 50
    for _ in range(100):  # the work happens after the answers
        if await order_reads(sandbox_server, order["number"]) >= 1:
            break
        await asyncio.sleep(0.02)
    assert await subscriber.nothing_within(0.5)  # the status did not change: no event
    assert await order_reads(sandbox_server, order["number"]) == 1
    await set_status(served.http, sandbox_server, order["number"], SHIPPED)
    assert await subscriber.status() == "Shipped"
    assert await subscriber.nothing_within(0.5)  # and never again
    text = await served.metrics()
    assert metric(text, "gateway_order_events_dropped_total", reason="delivery") >= 49
    await subscriber.ws.close()
