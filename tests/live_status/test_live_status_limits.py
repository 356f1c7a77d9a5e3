"""Subscriptions pass the per-client rate limit of queries (issue 17: "the same auth, limits
and CORS rules as queries"), in process on real uvicorn, over the session's sandbox.

A WebSocket's ``connection_init`` and each ``subscribe`` count against the client's window,
as each HTTP request does (a multipart subscription is one); over it, the socket is
closed with 1013 (try again later) or the ``subscribe`` gets an ``error`` whose code is
``RATE_LIMITED`` with ``retryAfterMs``, the error HTTP's 429 carries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest_asyncio

from gateway.bootstrap import create_app
from gateway.sandbox import SandboxServer
from tests.flow import unpaid_order
from tests.http.multipart_client import MultipartReader, next_part
from tests.live_gateway import LiveGateway, gateway_settings, serve, stop
from tests.live_status.served import DOCUMENT, metric

PROTOCOL = "graphql-transport-ws"
KEYS = ("limited-key-one", "limited-key-two")
LIMIT = 3
MULTIPART = {"Accept": 'multipart/mixed;subscriptionSpec="1.0",application/json'}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest_asyncio.fixture(loop_scope="session")
async def limited(sandbox_server: SandboxServer, live_gateway: LiveGateway) -> AsyncIterator[str]:
    """A gateway allowing each client key LIMIT requests a minute, with the session
    gateway's secret (an order id of one is an order id of both). One per test: fresh
    windows."""
    settings = gateway_settings(
        sandbox_server, GATEWAY_CLIENT_KEYS=",".join(KEYS), GATEWAY_CLIENT_RATE_LIMIT=str(LIMIT)
    )
    secret = live_gateway.app.state.runtime.settings.secret
    server, task, url = await serve(create_app(replace(settings, secret=secret)))
    yield url
    await stop(server, task)


def subscribe(ident: str, order_id: str) -> dict[str, Any]:
    payload = {"query": DOCUMENT, "variables": {"orderId": order_id}}
    return {"id": ident, "type": "subscribe", "payload": payload}


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await asyncio.wait_for(ws.receive(), 10)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return message.json()  # type: ignore[no-any-return]


async def query(http: aiohttp.ClientSession, url: str, key: str) -> tuple[int, Any]:
    body = {"query": "{ __typename }"}
    async with http.post(f"{url}/graphql", json=body, headers=auth(key)) as resp:
        return resp.status, await resp.json()


async def test_websocket_connections_and_subscribes_count_against_the_clients_window(
    gateway: LiveGateway, limited: str
) -> None:
    order = await unpaid_order(gateway)
    http = gateway.http
    ws_url = limited.replace("http://", "ws://") + "/graphql"
    async with http.ws_connect(ws_url, protocols=(PROTOCOL,)) as ws:
        await ws.send_json({"type": "connection_init", "payload": auth(KEYS[0])})  # 1
        assert await receive(ws) == {"type": "connection_ack"}
        for ident in ("a", "b"):  # 2, 3
            await ws.send_json(subscribe(ident, order["id"]))
            message = await receive(ws)
            assert (message["id"], message["type"]) == (ident, "next"), message
        await ws.send_json(subscribe("c", order["id"]))  # over the limit
        refused = await receive(ws)
        assert (refused["id"], refused["type"]) == ("c", "error"), refused
        [error] = refused["payload"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 1000 <= error["extensions"]["retryAfterMs"] <= 60_000
        assert error["message"] == "Too many requests from this client; retry later."
        await ws.send_json({"type": "ping"})  # the socket and its subscriptions go on
        assert await receive(ws) == {"type": "pong"}

        # The same window as HTTP's: the client's queries are refused too, the same way.
        status, body = await query(http, limited, KEYS[0])
        assert status == 429 and body["errors"] == [error]

        async with http.ws_connect(ws_url, protocols=(PROTOCOL,)) as again:
            await again.send_json({"type": "connection_init", "payload": auth(KEYS[0])})
            closing = await asyncio.wait_for(again.receive(), 10)
            assert closing.type == aiohttp.WSMsgType.CLOSE, closing
            assert again.close_code == 1013  # try again later: graphql-ws retries, backing off
            assert "retry" in (closing.extra or "")
    async with http.get(f"{limited}/metrics") as resp:
        refusals = await resp.text()
    assert metric(refusals, "gateway_subscription_refusals_total",
                  reason="rate_limited", transport="websocket") == 1  # fmt: skip

    # Another client has its own window.
    async with http.ws_connect(ws_url, protocols=(PROTOCOL,)) as other:
        await other.send_json({"type": "connection_init", "payload": auth(KEYS[1])})
        assert await receive(other) == {"type": "connection_ack"}
        await other.send_json(subscribe("1", order["id"]))
        assert (await receive(other))["type"] == "next"


async def test_a_multipart_subscription_is_one_request_of_the_clients_window(
    gateway: LiveGateway, limited: str
) -> None:
    order = await unpaid_order(gateway)
    http = gateway.http
    assert (await query(http, limited, KEYS[0]))[0] == 200
    body = {"query": DOCUMENT, "variables": {"orderId": order["id"]}}
    headers = {**auth(KEYS[0]), **MULTIPART}
    for _ in range(LIMIT - 1):
        async with http.post(f"{limited}/graphql", json=body, headers=headers) as resp:
            assert resp.status == 200
            parts = MultipartReader(resp).parts_of()
            first = await next_part(parts)
            assert first["payload"]["data"]["orderStatusChanged"]["status"] == "Incomplete"
    async with http.post(f"{limited}/graphql", json=body, headers=headers) as resp:
        assert resp.status == 429
        assert int(resp.headers["Retry-After"]) >= 1
        answer = await resp.json()
    assert answer["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert answer["errors"][0]["extensions"]["retryAfterMs"] >= 1000
