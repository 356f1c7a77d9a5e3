"""A signed-out token ends the subscriptions opened with it, on every replica (issue 17, §1a).

In process on real uvicorn over the session's sandbox; real clients: aiohttp's WebSocket
(graphql-transport-ws) and the multipart reader that parses as Apollo Client does. A
token's subscriptions get ``UNAUTHENTICATED`` (the code a query with it gets): an
``error`` per WebSocket subscription (and for each later ``subscribe`` on that socket),
an error part then the end of a multipart stream; a new subscription with the token is
refused like a query (WebSocket 4403 at ``connection_init``, HTTP 401).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from gateway.bootstrap import create_app
from gateway.sandbox import SandboxServer
from tests.flow import no_errors, sign_in, unpaid_order
from tests.http.multipart_client import END, MultipartReader, next_part
from tests.live_gateway import LiveGateway, gateway_settings, serve, stop
from tests.live_status.served import DOCUMENT
from tests.node_clients import NodeSubscriber

PROTOCOL = "graphql-transport-ws"
MULTIPART = {"Accept": 'multipart/mixed;subscriptionSpec="1.0",application/json'}
UNAUTHENTICATED = "UNAUTHENTICATED"


class Socket:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, base: str, token: str | None) -> Socket:
        ws = await http.ws_connect(
            base.replace("http://", "ws://") + "/graphql", protocols=(PROTOCOL,)
        )
        await ws.send_json({"type": "connection_init", "payload": token_headers(token) or {}})
        socket = cls(ws)
        assert await socket.receive() == {"type": "connection_ack"}
        return socket

    async def subscribe(self, ident: str, order_id: str) -> None:
        payload = {"query": DOCUMENT, "variables": {"orderId": order_id}}
        await self.ws.send_json({"id": ident, "type": "subscribe", "payload": payload})

    async def receive(self, seconds: float = 10) -> dict[str, Any]:
        message = await asyncio.wait_for(self.ws.receive(), seconds)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        return message.json()  # type: ignore[no-any-return]

    async def status(self, ident: str) -> str:
        message = await self.receive()
        assert (message["id"], message["type"]) == (ident, "next"), message
        return message["payload"]["data"]["orderStatusChanged"]["status"]  # type: ignore[no-any-return]

    async def error_code(self, ident: str) -> str:
        message = await self.receive()
        assert (message["id"], message["type"]) == (ident, "error"), message
        [error] = message["payload"]
        return error["extensions"]["code"]  # type: ignore[no-any-return]


def token_headers(token: str | None) -> dict[str, str] | None:
    return {"X-Shopper-Token": token} if token else None


async def sign_out(gateway: Any, token: str) -> None:
    answer = await gateway.run("SignOut", {}, {"X-Shopper-Token": token})
    no_errors(answer["data"]["signOut"])


async def refused_at_init(http: aiohttp.ClientSession, base: str, token: str) -> int | None:
    async with http.ws_connect(
        base.replace("http://", "ws://") + "/graphql", protocols=(PROTOCOL,)
    ) as ws:
        await ws.send_json({"type": "connection_init", "payload": token_headers(token)})
        message = await asyncio.wait_for(ws.receive(), 10)
        assert message.type == aiohttp.WSMsgType.CLOSE, message
        return ws.close_code


async def test_sign_out_ends_the_tokens_subscriptions_on_both_transports(
    gateway: LiveGateway,
) -> None:
    http = gateway.http
    token = await sign_in(gateway, 1)
    other_token = await sign_in(gateway, 1)  # the same customer, another sign-in
    order = await unpaid_order(gateway, token)
    guest_order = await unpaid_order(gateway)

    signed_in = await Socket.open(http, gateway.url, token)
    await signed_in.subscribe("mine", order["id"])
    assert await signed_in.status("mine") == "Incomplete"
    await signed_in.subscribe("guest-order", guest_order["id"])
    assert await signed_in.status("guest-order") == "Incomplete"
    other = await Socket.open(http, gateway.url, other_token)
    await other.subscribe("1", order["id"])
    assert await other.status("1") == "Incomplete"

    body = {"query": DOCUMENT, "variables": {"orderId": order["id"]}}
    headers = {**MULTIPART, "X-Shopper-Token": token}
    async with http.post(f"{gateway.url}/graphql", json=body, headers=headers) as resp:
        assert resp.status == 200
        parts = MultipartReader(resp).parts_of()
        first = await next_part(parts)
        assert first["payload"]["data"]["orderStatusChanged"]["status"] == "Incomplete"

        await sign_out(gateway, token)

        ended = await next_part(parts)
        while ended == {}:  # heartbeats may come first
            ended = await next_part(parts)
        assert ended["payload"] is None
        assert [e["extensions"]["code"] for e in ended["errors"]] == [UNAUTHENTICATED]
        assert await next_part(parts) is END  # the stream's proper end, not a reset

    codes = {await signed_in.error_code(ident) for ident in ("mine", "guest-order")}
    assert codes == {UNAUTHENTICATED}  # every subscription of the socket, whatever its order
    await signed_in.subscribe("again", guest_order["id"])  # the socket's token is dead
    assert await signed_in.error_code("again") == UNAUTHENTICATED
    await signed_in.ws.close()

    # A new subscription with the token is refused as a query with it is.
    assert await refused_at_init(http, gateway.url, token) == 4403
    async with http.post(f"{gateway.url}/graphql", json=body, headers=headers) as resp:
        assert resp.status == 401
        assert (await resp.json())["errors"][0]["extensions"]["code"] == UNAUTHENTICATED

    # Another token of the same customer, and its subscription, live on.
    await other.ws.send_json({"type": "ping"})
    assert await other.receive() == {"type": "pong"}
    await other.ws.close()


@pytest_asyncio.fixture(loop_scope="session")
async def replicas(sandbox_server: SandboxServer, redis_url: str) -> AsyncIterator[list[str]]:
    """Two gateways sharing one Redis and one secret (each other's tokens and order ids)."""
    settings = gateway_settings(
        sandbox_server,
        GATEWAY_REDIS_URL=redis_url,
        GATEWAY_SECRET="sign-out-replicas-secret-0123456789",
    )
    served = [await serve(create_app(settings)) for _ in range(2)]
    yield [url for _server, _task, url in served]
    for server, task, _url in served:
        await stop(server, task)


async def test_a_sign_out_on_one_replica_ends_the_subscriptions_on_another(
    gateway: LiveGateway, replicas: list[str]
) -> None:
    replica_a, replica_b = (
        LiveGateway(url, gateway.http, gateway.sandbox, gateway.ops, None) for url in replicas
    )
    token = await sign_in(replica_a, 1)
    order = await unpaid_order(replica_a, token)
    on_b = await Socket.open(gateway.http, replica_b.url, token)
    await on_b.subscribe("1", order["id"])
    assert await on_b.status("1") == "Incomplete"
    await sign_out(replica_a, token)
    assert await on_b.error_code("1") == UNAUTHENTICATED
    assert await refused_at_init(gateway.http, replica_b.url, token) == 4403
    await on_b.ws.close()


@pytest.mark.parametrize("transport", ["ws", "multipart"])
async def test_a_storefront_client_is_told_when_its_token_is_signed_out(
    gateway: LiveGateway, transport: str
) -> None:
    """npm graphql-ws and Apollo Client's HttpLink (tests/clients/subscribe.mjs)."""
    token = await sign_in(gateway, 1)
    order = await unpaid_order(gateway, token)
    client = await NodeSubscriber.open(
        transport, f"{gateway.url}/graphql", "no-client-key-asked", order["id"], token
    )
    try:
        assert await client.status() == "Incomplete"
        await sign_out(gateway, token)
        line = await client.line()
        assert "error" in line and UNAUTHENTICATED in json.dumps(line), line
    finally:
        await client.close()
