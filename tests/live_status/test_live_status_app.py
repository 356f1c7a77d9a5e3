"""The live-status wiring of the app (in process, real uvicorn, the session's sandbox):
auth and reachability on both transports, request errors, the adapter's reads."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from gateway.bigcommerce import BigCommerceClient, UpstreamTransport
from gateway.bigcommerce import hooks as hooks_module
from gateway.bigcommerce.errors import MalformedAnswer
from gateway.bigcommerce.hooks import BigCommerceHooks
from gateway.bigcommerce.order_status import BigCommerceOrderReader, modified_at, snapshot_of
from gateway.bootstrap import create_app
from gateway.domain.order_ids import OrderIdCodec
from gateway.errors import ErrorCode, GatewayError
from gateway.sandbox import SandboxServer
from tests.flow import sign_in, unpaid_order
from tests.live_gateway import LiveGateway, gateway_settings, serve, stop
from tests.live_status.served import CLIENT_KEY, DOCUMENT

PROTOCOL = "graphql-transport-ws"


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


async def first_message(
    http: aiohttp.ClientSession, base: str, init: dict[str, Any], order_id: str
) -> dict[str, Any] | int | None:
    """The first answer to a subscription, or the close code when the server closed."""
    async with http.ws_connect(ws_url(base), protocols=(PROTOCOL,)) as ws:
        await ws.send_json({"type": "connection_init", "payload": init})
        message = await asyncio.wait_for(ws.receive(), 10)
        if message.type != aiohttp.WSMsgType.TEXT:
            return ws.close_code
        assert message.json() == {"type": "connection_ack"}
        payload = {"query": DOCUMENT, "variables": {"orderId": order_id}}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
        answer = await asyncio.wait_for(ws.receive(), 10)
        return answer.json()  # type: ignore[no-any-return]


def code_of(message: Any) -> str:
    assert isinstance(message, dict) and message["type"] == "error", message
    return message["payload"][0]["extensions"]["code"]  # type: ignore[no-any-return]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def keyed(sandbox_server: SandboxServer, live_gateway: LiveGateway) -> AsyncIterator[str]:
    """A gateway that asks for a client key (and has no webhook secret: no receiver); it
    shares the session gateway's secret, so an order id of one is an order id of both."""
    settings = gateway_settings(sandbox_server, GATEWAY_CLIENT_KEYS=CLIENT_KEY)
    secret = live_gateway.app.state.runtime.settings.secret
    app = create_app(replace(settings, webhook_secret=None, secret=secret))
    server, task, url = await serve(app)
    yield url
    await stop(server, task)


async def test_websocket_asks_for_the_client_key_in_connection_init(
    gateway: LiveGateway, keyed: str
) -> None:
    order = await unpaid_order(gateway)
    without = await first_message(gateway.http, keyed, {}, order["id"])
    wrong = await first_message(gateway.http, keyed, {"Authorization": "Bearer nope"}, order["id"])
    assert without == wrong == 4403
    right = {"Authorization": f"Bearer {CLIENT_KEY}"}
    message = await first_message(gateway.http, keyed, right, order["id"])
    assert isinstance(message, dict) and message["type"] == "next", message
    assert message["payload"]["data"]["orderStatusChanged"] == {
        "id": order["id"], "number": order["number"], "status": "Incomplete", "statusId": 0,
    }  # fmt: skip


async def test_a_shopper_token_that_does_not_verify_is_refused(gateway: LiveGateway) -> None:
    order = await unpaid_order(gateway)
    init = {"X-Shopper-Token": "not-a-token"}
    assert await first_message(gateway.http, gateway.url, init, order["id"]) == 4403
    assert await first_message(gateway.http, gateway.url, {"X-Shopper-Token": 7}, "x") == 4403


async def test_unknown_tampered_and_other_customers_orders_are_not_found(
    gateway: LiveGateway,
) -> None:
    jane = await sign_in(gateway, 1)
    customers = await unpaid_order(gateway, jane)
    codec = OrderIdCodec(b"another-gateways-secret-0123456789", "sandbox")
    john = {"X-Shopper-Token": await sign_in(gateway, 2)}
    for init, order_id in (
        ({}, customers["id"]),
        (john, customers["id"]),
        ({}, str(customers["number"])),
        ({}, codec.encode(1)),
    ):
        message = await first_message(gateway.http, gateway.url, init, order_id)
        assert code_of(message) == "NOT_FOUND"
    owner = await first_message(
        gateway.http, gateway.url, {"X-Shopper-Token": jane}, customers["id"]
    )
    assert isinstance(owner, dict) and owner["type"] == "next", owner


async def test_over_http_a_subscription_needs_the_multipart_accept(gateway: LiveGateway) -> None:
    order = await unpaid_order(gateway)
    body = {"query": DOCUMENT, "variables": {"orderId": order["id"]}}
    async with gateway.http.post(f"{gateway.url}/graphql", json=body) as resp:
        assert resp.status == 406
        answer = await resp.json()
    assert answer["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"
    headers = {"Accept": "multipart/mixed;subscriptionSpec=1.0"}
    body["variables"] = {"orderId": str(order["number"])}  # a bare number: NOT_FOUND
    async with gateway.http.post(f"{gateway.url}/graphql", json=body, headers=headers) as resp:
        assert resp.status == 200
        text = await resp.text()
    assert '"NOT_FOUND"' in text and text.endswith("\r\n--graphql--\r\n")


async def test_subscriptions_take_persisted_queries_and_report_document_errors(
    gateway: LiveGateway,
) -> None:
    order = await unpaid_order(gateway)
    sha = hashlib.sha256(DOCUMENT.encode()).hexdigest()
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}},
            "PERSISTED_QUERY_NOT_FOUND",
        ),
        ({"extensions": {"persistedQuery": {"version": 2}}}, "BAD_REQUEST"),
        (
            {
                "query": DOCUMENT,
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
            },
            "BAD_REQUEST",
        ),
        ({"query": "subscription { nope }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"extensions": {"other": 1}}, "BAD_REQUEST"),
    ]
    async with gateway.http.ws_connect(ws_url(gateway.url), protocols=(PROTOCOL,)) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json())["type"] == "connection_ack"
        for number, (payload, code) in enumerate(cases):
            payload = {**payload, "variables": {"orderId": order["id"]}}
            await ws.send_json({"id": str(number), "type": "subscribe", "payload": payload})
            assert code_of(await asyncio.wait_for(ws.receive_json(), 10)) == code
        apq = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
        registered = {"query": DOCUMENT, "variables": {"orderId": order["id"]}, "extensions": apq}
        await ws.send_json({"id": "apq", "type": "subscribe", "payload": registered})
        assert (await asyncio.wait_for(ws.receive_json(), 10))["type"] == "next"
        by_hash = {"variables": {"orderId": order["id"]}, "extensions": registered["extensions"]}
        await ws.send_json({"id": "hash", "type": "subscribe", "payload": by_hash})
        assert (await asyncio.wait_for(ws.receive_json(), 10))["type"] == "next"


async def test_without_a_webhook_secret_no_receiver_is_served(keyed: str) -> None:
    async with aiohttp.ClientSession() as http, http.post(f"{keyed}/webhooks/bigcommerce") as r:
        assert r.status == 404


# --- the adapter, over real HTTP to the sandbox ------------------------------------------


@pytest_asyncio.fixture(loop_scope="session")
async def client(sandbox: SandboxServer) -> AsyncIterator[BigCommerceClient]:
    settings = gateway_settings(sandbox)
    transport = UpstreamTransport(settings)
    await transport.start()
    codec = OrderIdCodec(settings.secret, settings.store_hash)
    yield BigCommerceClient(transport, settings, codec.encode)
    await transport.close()


async def test_the_order_reader_reads_the_whole_order_and_its_clock(
    gateway: LiveGateway, client: BigCommerceClient
) -> None:
    order = await unpaid_order(gateway)
    reader = BigCommerceOrderReader(client, lambda n: f"ord-{n}")
    snapshot = await reader.read_order_status(order["number"])
    assert (snapshot.status_id, snapshot.status, snapshot.customer_id) == (0, "Incomplete", 0)
    assert snapshot.version > 1_700_000_000
    assert snapshot.order is not None and snapshot.order.id == f"ord-{order['number']}"
    assert str(snapshot.order.total.amount) == order["total"]["amount"]
    with pytest.raises(GatewayError) as unknown:
        await reader.read_order_status(987_654)
    assert unknown.value.code is ErrorCode.NOT_FOUND


def test_order_bodies_that_cannot_be_read() -> None:
    assert modified_at(None) == 0
    when = datetime(2026, 12, 1, 10, tzinfo=UTC).timestamp()
    assert modified_at("Tue, 01 Dec 2026 10:00:00 +0000") == when
    bads: list[object] = [[], {"status_id": 1}, {"id": "x"}, {"id": 1, "date_modified": "y"}]
    for bad in bads:
        with pytest.raises(MalformedAnswer):
            snapshot_of(bad, str)


async def test_the_hooks_registry_pages_through_every_hook(
    client: BigCommerceClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = BigCommerceHooks(client)
    made = [
        await hooks.create_hook(f"store/order/{scope}", "http://127.0.0.1:9/h", {"A": "b"})
        for scope in ("created", "updated", "archived")
    ]
    monkeypatch.setattr(hooks_module, "PAGE", 2)
    listed = await hooks.list_hooks()
    assert [h.id for h in listed] == [h.id for h in made]
    assert listed[0].header_names == ["A"] and "b" not in repr(listed[0])
    moved = await hooks.update_hook(made[0].id, "http://127.0.0.1:9/other", {})
    assert moved.destination == "http://127.0.0.1:9/other" and moved.is_active
