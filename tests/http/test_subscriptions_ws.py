"""graphql-transport-ws over a real uvicorn: the order's statuses, and the protocol's edges."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.http.subscription_app import (
    CLIENT_KEY,
    DOCUMENT,
    EXECUTIONS,
    SubscriptionServer,
    nobody_subscribed,
    order_id,
    start_server,
)

PROTOCOL = "graphql-transport-ws"
AUTH = {"Authorization": f"Bearer {CLIENT_KEY}"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def served() -> AsyncIterator[SubscriptionServer]:
    server = await start_server(
        init_timeout_s=0.3, max_subscriptions=3, allowed_origins=("https://shop.example",)
    )
    yield server
    await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def connect(
    http: aiohttp.ClientSession, served: SubscriptionServer, init: dict[str, Any] | None = AUTH
) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(served.ws_url, protocols=(PROTOCOL,))
    assert ws.protocol == PROTOCOL
    if init is not None:
        await ws.send_json({"type": "connection_init", "payload": init})
        assert await receive(ws) == {"type": "connection_ack"}
    return ws


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await asyncio.wait_for(ws.receive(), 5)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return message.json()  # type: ignore[no-any-return]


async def closed_with(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    while True:
        message = await asyncio.wait_for(ws.receive(), 5)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return ws.close_code


def subscribe(ident: str, number: int) -> dict[str, Any]:
    return {
        "id": ident,
        "type": "subscribe",
        "payload": {
            "query": DOCUMENT,
            "operationName": "OrderStatus",
            "variables": {"orderId": order_id(number)},
        },
    }


def status_of(message: dict[str, Any]) -> str:
    assert message["type"] == "next", message
    return message["payload"]["data"]["orderStatusChanged"]["status"]  # type: ignore[no-any-return]


async def test_current_status_first_then_each_change(http, served) -> None:
    served.book.put(501, 0, "Incomplete", 100)
    ws = await connect(http, served)
    await ws.send_json(subscribe("1", 501))
    first = await receive(ws)
    assert first["id"] == "1"
    assert first["payload"]["data"]["orderStatusChanged"] == {
        "id": order_id(501),
        "number": 501,
        "status": "Incomplete",
        "statusId": 0,
    }
    served.book.put(501, 11, "Awaiting Fulfillment", 101)
    await served.feed.notify(501)
    assert status_of(await receive(ws)) == "Awaiting Fulfillment"
    await served.feed.notify(501)  # nothing changed: nothing is sent
    served.book.put(501, 2, "Shipped", 102)
    await served.feed.notify(501)
    assert status_of(await receive(ws)) == "Shipped"
    await ws.send_json({"id": "1", "type": "complete"})
    await ws.send_json({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}  # no further "next" came before it
    await ws.close()


async def test_a_customers_order_needs_that_customers_token(http, served) -> None:
    served.book.put(502, 11, "Awaiting Fulfillment", 100, customer_id=42)
    guest = await connect(http, served)
    await guest.send_json(subscribe("a", 502))
    refused = await receive(guest)
    assert refused["type"] == "error" and refused["id"] == "a"
    assert refused["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    await guest.close()
    owner = await connect(http, served, {**AUTH, "X-Shopper-Token": "customer-42"})
    await owner.send_json(subscribe("a", 502))
    assert status_of(await receive(owner)) == "Awaiting Fulfillment"
    await owner.close()


async def test_unknown_and_tampered_ids_are_not_found(http, served) -> None:
    ws = await connect(http, served)
    await ws.send_json(subscribe("x", 999_999))
    message = await receive(ws)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    tampered = subscribe("y", 503)
    tampered["payload"]["variables"]["orderId"] = "503"
    await ws.send_json(tampered)
    message = await receive(ws)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    await ws.close()


async def test_a_document_error_is_an_error_message_not_a_close(http, served) -> None:
    ws = await connect(http, served)
    await ws.send_json(
        {"id": "v", "type": "subscribe", "payload": {"query": "subscription { nope }"}}
    )
    message = await receive(ws)
    assert message["type"] == "error" and message["id"] == "v"
    assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    await ws.send_json({"id": "q", "type": "subscribe", "payload": {"query": "{ ping }"}})
    message = await receive(ws)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
    await ws.send_json({"type": "ping", "payload": {"still": "open"}})
    assert await receive(ws) == {"type": "pong"}
    await ws.close()


@pytest.mark.parametrize(
    "init",
    [
        {},
        {"Authorization": "Bearer wrong-key"},
        {**AUTH, "X-Shopper-Token": "forged"},
    ],
)
async def test_bad_credentials_close_4403(http, served, init) -> None:
    ws = await connect(http, served, init=None)
    await ws.send_json({"type": "connection_init", "payload": init})
    assert await closed_with(ws) == 4403


async def test_no_connection_init_closes_4408(http, served) -> None:
    ws = await connect(http, served, init=None)
    assert await closed_with(ws) == 4408


async def test_subscribe_before_the_ack_closes_4401(http, served) -> None:
    ws = await connect(http, served, init=None)
    await ws.send_json(subscribe("1", 501))
    assert await closed_with(ws) == 4401


async def test_a_second_connection_init_closes_4429(http, served) -> None:
    ws = await connect(http, served)
    await ws.send_json({"type": "connection_init", "payload": AUTH})
    assert await closed_with(ws) == 4429


async def test_a_running_id_used_again_closes_4409(http, served) -> None:
    served.book.put(504, 11, "Awaiting Fulfillment", 100)
    ws = await connect(http, served)
    await ws.send_json(subscribe("same", 504))
    assert status_of(await receive(ws)) == "Awaiting Fulfillment"
    await ws.send_json(subscribe("same", 504))
    assert await closed_with(ws) == 4409


@pytest.mark.parametrize(
    "frame",
    ['{"type": "what"}', "not json", '["connection_init"]', '{"type": "subscribe", "id": 1}'],
)
async def test_anything_but_a_protocol_message_closes_4400(http, served, frame) -> None:
    ws = await connect(http, served)
    await ws.send_str(frame)
    assert await closed_with(ws) == 4400


async def test_without_the_subprotocol_the_socket_closes_4406(http, served) -> None:
    ws = await http.ws_connect(served.ws_url)
    assert await closed_with(ws) == 4406


async def test_at_most_max_subscriptions_run_on_one_connection(http, served) -> None:
    served.book.put(505, 11, "Awaiting Fulfillment", 100)
    ws = await connect(http, served)
    for ident in ("1", "2", "3"):
        await ws.send_json(subscribe(ident, 505))
        assert status_of(await receive(ws)) == "Awaiting Fulfillment"
    await ws.send_json(subscribe("4", 505))
    refused = await receive(ws)
    assert refused["type"] == "error" and refused["id"] == "4"
    assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    await ws.send_json({"id": "1", "type": "complete"})
    await ws.send_json({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}
    await ws.send_json(subscribe("4", 505))  # a place is free again
    assert status_of(await receive(ws)) == "Awaiting Fulfillment"
    await ws.close()


async def test_leaving_releases_the_subscriptions(http, served) -> None:
    served.book.put(506, 11, "Awaiting Fulfillment", 100)
    await nobody_subscribed(served)  # earlier tests' clients are gone
    ws = await connect(http, served)
    await ws.send_json(subscribe("1", 506))
    await receive(ws)
    assert served.feed.open_subscriptions == 1
    await ws.close()
    await nobody_subscribed(served)
    assert served.live.open_subscriptions("websocket") == 0


async def test_server_shutdown_closes_1001(http) -> None:
    own = await start_server()
    own.book.put(507, 11, "Awaiting Fulfillment", 100)
    ws = await connect(http, own)
    await ws.send_json(subscribe("1", 507))
    await receive(ws)
    stopping = asyncio.create_task(own.stop())
    assert await closed_with(ws) == 1001
    await stopping


async def test_a_page_from_another_origin_is_refused_at_the_handshake(http, served) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(
            served.ws_url, protocols=(PROTOCOL,), headers={"Origin": "https://evil.example"}
        )
    assert refused.value.status == 403
    ws = await http.ws_connect(
        served.ws_url, protocols=(PROTOCOL,), headers={"Origin": "https://shop.example"}
    )
    await ws.send_json({"type": "connection_init", "payload": AUTH})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.close()
    # The gateway's own pages (GraphiQL) are same-origin, listed or not.
    own_origin = "http://" + served.ws_url.split("://", 1)[1].split("/", 1)[0]
    ws = await http.ws_connect(served.ws_url, protocols=(PROTOCOL,), headers={"Origin": own_origin})
    await ws.send_json({"type": "connection_init", "payload": AUTH})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.close()


async def test_one_change_to_many_subscribers_is_executed_once(http, served) -> None:
    served.book.put(508, 11, "Awaiting Fulfillment", 100)
    sockets = [await connect(http, served) for _ in range(4)]
    for ws in sockets:
        await ws.send_json(subscribe("1", 508))
        assert status_of(await receive(ws)) == "Awaiting Fulfillment"
    # Another selection of the same order is its own result.
    narrow = {"query": "subscription($o: ID!) { orderStatusChanged(orderId: $o) { status } }"}
    narrow["variables"] = {"o": order_id(508)}  # type: ignore[assignment]
    await sockets[0].send_json({"id": "2", "type": "subscribe", "payload": narrow})
    assert (await receive(sockets[0]))["payload"]["data"] == {
        "orderStatusChanged": {"status": "Awaiting Fulfillment"}
    }
    before = EXECUTIONS["status"]
    served.book.put(508, 2, "Shipped", 101)
    await served.feed.notify(508)
    received = [await receive(ws) for ws in sockets] + [await receive(sockets[0])]
    assert {m["id"] for m in received} == {"1", "2"}
    assert sum(m["id"] == "1" for m in received) == 4
    assert all(m["payload"]["data"]["orderStatusChanged"]["status"] == "Shipped" for m in received)
    assert EXECUTIONS["status"] - before == 2  # once per selection, not once per subscriber
    for ws in sockets:
        await ws.close()
