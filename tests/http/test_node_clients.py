"""The clients storefronts really use: npm graphql-ws over WebSocket and Apollo Client's
HttpLink over multipart, against the subscription transports on a real uvicorn.

Needs Node 20+ and ``npm ci --prefix tests/clients`` (scripts/test runs it); without
them these tests skip, except under CI=true.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests import needs
from tests.http.subscription_app import CLIENT_KEY, SubscriptionServer, order_id, start_server

CLIENTS = Path(__file__).resolve().parents[1] / "clients"


def node() -> str:
    path = shutil.which("node")
    if path is None:
        needs.unavailable("node is not installed")
    if not (CLIENTS / "node_modules" / "graphql-ws").is_dir():
        needs.unavailable("tests/clients/node_modules is missing: run npm ci there")
    return path


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def served() -> AsyncIterator[SubscriptionServer]:
    server = await start_server(heartbeat_s=0.5)
    yield server
    await server.stop()


class NodeClient:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def line(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), 20)
        assert raw, "the client exited"
        return json.loads(raw)  # type: ignore[no-any-return]

    async def status(self) -> str:
        line = await self.line()
        assert "data" in line, line
        return line["data"]["orderStatusChanged"]["status"]  # type: ignore[no-any-return]

    async def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def open_client(served: SubscriptionServer, transport: str, number: int, *token: str):
    process = await asyncio.create_subprocess_exec(
        node(),
        str(CLIENTS / "subscribe.mjs"),
        transport,
        f"{served.url}/graphql",
        CLIENT_KEY,
        order_id(number),
        *token,
        cwd=CLIENTS,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    return NodeClient(process)


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
