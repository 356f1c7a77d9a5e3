"""The clients storefronts really use: npm graphql-ws over WebSocket and Apollo Client's
HttpLink over multipart, against the subscription transports on a real uvicorn.

Needs Node 20+ and ``npm ci --prefix tests/clients`` (scripts/test runs it); without
them these tests skip, except under CI=true.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.http.subscription_app import CLIENT_KEY, SubscriptionServer, order_id, start_server
from tests.node_clients import NodeSubscriber

CLIENTS = Path(__file__).resolve().parents[1] / "clients"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def served() -> AsyncIterator[SubscriptionServer]:
    server = await start_server(heartbeat_s=0.5)
    yield server
    await server.stop()


async def open_client(
    served: SubscriptionServer, transport: str, number: int, *token: str
) -> NodeSubscriber:
    return await NodeSubscriber.open(
        transport, f"{served.url}/graphql", CLIENT_KEY, order_id(number), *token
    )


@pytest.mark.parametrize("transport", ["ws", "multipart"])
async def test_a_storefront_client_sees_each_status_once(served, transport) -> None:
    number = 900 if transport == "ws" else 901
    served.book.put(number, 0, "Incomplete", 100, customer_id=12)
    client = await open_client(served, transport, number, "customer-12")
    try:
        assert await client.status() == "Incomplete"
        served.book.put(number, 11, "Awaiting Fulfillment", 101, customer_id=12)
        await served.feed.notify(number)
        assert await client.status() == "Awaiting Fulfillment"
        served.book.put(number, 2, "Shipped", 102, customer_id=12)
        await served.feed.notify(number)
        await served.feed.notify(number)  # a repeat is not an event
        assert await client.status() == "Shipped"
    finally:
        await client.close()


@pytest.mark.parametrize("transport", ["ws", "multipart"])
async def test_another_customers_order_is_an_error_for_the_client(served, transport) -> None:
    number = 902 if transport == "ws" else 903
    served.book.put(number, 11, "Awaiting Fulfillment", 100, customer_id=12)
    client = await open_client(served, transport, number, "customer-13")
    try:
        line = await client.line()
        assert "error" in line, line
        assert '"code": "NOT_FOUND"' in json.dumps(line)
    finally:
        await client.close()
