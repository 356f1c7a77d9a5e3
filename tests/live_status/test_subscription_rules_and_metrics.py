"""Issue 17 audit: subscriptions pass the client-key, CORS and document/size limits of
queries, and ``/metrics`` counts what happens (open subscriptions by transport, callbacks, events,
deliveries), in process on real uvicorn over the session's sandbox.

The app is this module's own (its own metrics registry), with the session gateway's
secret, so an order made through the session gateway is an order id of both.
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
from tests.live_status.served import (
    AUTH,
    CLIENT_KEY,
    DOCUMENT,
    WEBHOOK_SECRET,
    WsSubscriber,
    metric,
    set_status,
)

SHOP = "https://shop.example"
MULTIPART = 'multipart/mixed;subscriptionSpec="1.0",application/json'
SHIPPED = 2
MAX_BODY = 20_000


@pytest_asyncio.fixture(loop_scope="session")
async def guarded(sandbox_server: SandboxServer, live_gateway: LiveGateway) -> AsyncIterator[str]:
    """A gateway with client keys, one CORS origin and a webhook secret; one per test:
    fresh metrics."""
    settings = gateway_settings(
        sandbox_server,
        GATEWAY_CLIENT_KEYS=CLIENT_KEY,
        GATEWAY_CORS_ORIGINS=SHOP,
        GATEWAY_WEBHOOK_SECRET=WEBHOOK_SECRET,
        GATEWAY_SUBSCRIPTION_HEARTBEAT_S="0.2",
        GATEWAY_MAX_BODY_BYTES=str(MAX_BODY),
    )
    secret = live_gateway.app.state.runtime.settings.secret
    server, task, url = await serve(create_app(replace(settings, secret=secret)))
    yield url
    await stop(server, task)


def subscription(order_id: str) -> dict[str, Any]:
    return {"query": DOCUMENT, "variables": {"orderId": order_id}}


async def status_of(parts: AsyncIterator[Any]) -> str:
    """The next event's status (heartbeats, ``{}``, skipped)."""
    while True:
        part = await next_part(parts)
        if part != {}:
            return part["payload"]["data"]["orderStatusChanged"]["status"]  # type: ignore[no-any-return]


async def test_a_multipart_subscription_asks_for_the_client_key_as_a_query_does(
    gateway: LiveGateway, guarded: str
) -> None:
    order = await unpaid_order(gateway)
    http = gateway.http
    async with http.post(f"{guarded}/graphql", json={"query": "{ __typename }"}) as resp:
        query_refusal = resp.status, await resp.read()
    for key in ({}, {"Authorization": "Bearer not-a-key"}):
        headers = {**key, "Accept": MULTIPART}
        sent = subscription(order["id"])
        async with http.post(f"{guarded}/graphql", json=sent, headers=headers) as resp:
            refusal = resp.status, await resp.read()
        assert refusal[0] == 401
        if not key:
            assert refusal == query_refusal  # the very answer a query without a key gets


async def test_a_browser_page_of_an_allowed_origin_holds_a_multipart_subscription(
    gateway: LiveGateway, guarded: str
) -> None:
    """What Apollo Client's HttpLink in a storefront page on another origin goes through:
    the preflight (Accept, Authorization and X-Shopper-Token are not simple), then the
    stream with the page's origin allowed. Other origins get no allowance, as for queries."""
    order = await unpaid_order(gateway)
    http = gateway.http
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "accept,authorization,content-type,x-shopper-token",
    }
    async with http.options(f"{guarded}/graphql", headers={"Origin": SHOP, **preflight}) as resp:
        assert resp.status == 200
        assert resp.headers["Access-Control-Allow-Origin"] == SHOP
        allowed = resp.headers["Access-Control-Allow-Headers"].lower()
    assert {"accept", "authorization", "content-type", "x-shopper-token"} <= {
        name.strip() for name in allowed.split(",")
    }
    evil = {"Origin": "https://evil.example", **preflight}
    async with http.options(f"{guarded}/graphql", headers=evil) as resp:
        assert resp.status == 400 and "Access-Control-Allow-Origin" not in resp.headers

    headers = {**AUTH, "Accept": MULTIPART, "Origin": SHOP}
    async with http.post(
        f"{guarded}/graphql", json=subscription(order["id"]), headers=headers
    ) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("multipart/mixed")
        assert resp.headers["Access-Control-Allow-Origin"] == SHOP
        parts = MultipartReader(resp).parts_of()
        assert await status_of(parts) == "Incomplete"
    headers["Origin"] = "https://evil.example"
    async with http.post(
        f"{guarded}/graphql", json=subscription(order["id"]), headers=headers
    ) as resp:
        assert "Access-Control-Allow-Origin" not in resp.headers  # the browser hides the answer


async def gauge_reaches(url: str, http: aiohttp.ClientSession, want: dict[str, float]) -> str:
    """The metrics page once every open-subscriptions gauge named has the value wanted (the
    server sees a client leave a moment after it left)."""
    for _ in range(250):
        async with http.get(f"{url}/metrics") as resp:
            text = await resp.text()
        got = {t: metric(text, "gateway_subscriptions_open", transport=t) for t in want}
        if got == want:
            return text
        await asyncio.sleep(0.02)
    raise AssertionError(f"open subscriptions {got}, wanted {want}")


async def test_metrics_count_open_subscriptions_callbacks_events_and_deliveries(
    gateway: LiveGateway, guarded: str
) -> None:
    order = await unpaid_order(gateway)
    http = gateway.http
    ws = await WsSubscriber.open(http, guarded, order["id"])
    assert await ws.status() == "Incomplete"
    headers = {**AUTH, "Accept": MULTIPART}
    async with http.post(
        f"{guarded}/graphql", json=subscription(order["id"]), headers=headers
    ) as resp:
        parts = MultipartReader(resp).parts_of()
        assert await status_of(parts) == "Incomplete"
        before = await gauge_reaches(guarded, http, {"websocket": 1, "multipart": 1})

        await set_status(http, gateway.sandbox, order["number"], SHIPPED)
        callback = {
            "scope": "store/order/statusUpdated",
            "store_id": "1",
            "data": {"type": "order", "id": order["number"],
                     "status": {"previous_status_id": 0, "new_status_id": SHIPPED}},
            "hash": "audit-metrics-delivery",
            "created_at": 1700000000,
            "producer": f"stores/{gateway.sandbox.store_hash}",
        }  # fmt: skip
        sent = {"X-Webhook-Secret": WEBHOOK_SECRET}
        async with http.post(f"{guarded}/webhooks/bigcommerce", json=callback, headers=sent) as r:
            assert r.status == 200
        assert await ws.status() == "Shipped"
        assert await status_of(parts) == "Shipped"
        async with http.get(f"{guarded}/metrics") as got:
            text = await got.text()
        scope = "store/order/statusUpdated"
        assert metric(text, "gateway_webhook_callbacks_total", scope=scope) == 1
        assert metric(text, "gateway_order_events_received_total") == 1
        deliveries = "gateway_order_event_deliveries_total"
        assert metric(before, deliveries) == 0  # a current status is not a change
        dropped = "gateway_order_events_dropped_total"
        assert metric(before, dropped, reason="duplicate") == 0  # nor a duplicate
        assert metric(text, deliveries) == 2  # the change, once per subscriber
        resp.close()  # the storefront leaves
    await ws.ws.close()
    await gauge_reaches(guarded, http, {"websocket": 0, "multipart": 0})


async def test_subscriptions_meet_the_document_and_size_limits_of_queries(
    gateway: LiveGateway, guarded: str
) -> None:
    order = await unpaid_order(gateway)
    http = gateway.http
    aliases = " ".join(f"a{i}: id" for i in range(31))  # the limit is 30
    document = f"subscription S($o: ID!) {{ orderStatusChanged(orderId: $o) {{ {aliases} }} }}"
    over = {"query": document, "variables": {"o": order["id"]}}
    huge = {"query": 'subscription { orderStatusChanged(orderId: "x") { id } }' + " " * MAX_BODY}

    headers = {**AUTH, "Accept": MULTIPART}
    async with http.post(f"{guarded}/graphql", json=over, headers=headers) as resp:
        [error] = (await resp.json())["errors"]
    assert error["extensions"]["code"] == "MAX_ALIASES_EXCEEDED"
    async with http.post(f"{guarded}/graphql", json=huge, headers=headers) as resp:
        assert resp.status == 413
        assert (await resp.json())["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    ws_url = guarded.replace("http://", "ws://") + "/graphql"
    async with http.ws_connect(ws_url, protocols=("graphql-transport-ws",)) as ws:
        await ws.send_json({"type": "connection_init", "payload": AUTH})
        assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
        await ws.send_json({"id": "over", "type": "subscribe", "payload": over})
        refused = await ws.receive_json(timeout=10)
        assert (refused["id"], refused["type"]) == ("over", "error")
        assert refused["payload"] == [error]  # the same error as over HTTP
        await ws.send_json({"id": "huge", "type": "subscribe", "payload": huge})
        closing = await ws.receive(timeout=10)
        assert closing.type == aiohttp.WSMsgType.CLOSE and ws.close_code == 1009  # too big
