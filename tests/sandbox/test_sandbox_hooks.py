"""Webhooks on the sandbox: /v3/hooks over HTTP, and callbacks arriving at a loopback
receiver with the hook's headers after a payment and after ``PUT /v2/orders/{id}``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web

from gateway.sandbox import SandboxServer, start_in_thread
from tests.openapi.validate import validate_callback
from tests.sandbox.sandbox_client import Client, card

WAIT_S = 10  # generous bound for a callback to arrive; the tests assert order, not speed


@dataclass
class Receiver:
    """A loopback HTTP server that keeps every callback it gets."""

    url: str = ""
    received: asyncio.Queue[tuple[dict[str, str], dict[str, Any]]] = field(
        default_factory=asyncio.Queue
    )
    fail_next: int = 0  # answer this many callbacks with 503 first
    hold: asyncio.Event | None = None  # when set, answer only once the event is set

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.hold is not None:
            await self.hold.wait()
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=503)
        await self.received.put((dict(request.headers), body))
        return web.Response(status=200)

    async def next(self, scope: str) -> tuple[dict[str, str], dict[str, Any]]:
        while True:
            headers, body = await asyncio.wait_for(self.received.get(), WAIT_S)
            if body["scope"] == scope:
                return headers, body


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    app = web.Application()
    got = Receiver()
    app.router.add_post("/bc-hooks", got.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    got.url = f"http://127.0.0.1:{runner.addresses[0][1]}/bc-hooks"
    yield got
    if got.hold is not None:
        got.hold.set()
    await runner.cleanup()


async def _hook(client: Client, scope: str, destination: str, **extra: Any) -> dict[str, Any]:
    reply = await client.call(
        "POST", "/v3/hooks", {"scope": scope, "destination": destination, **extra}
    )
    assert reply.status == 200, reply.text
    hook: dict[str, Any] = reply.data
    return hook


async def test_hooks_crud(client: Client, sandbox: SandboxServer) -> None:
    created = await _hook(
        client, "store/order/statusUpdated", "https://hooks.example/bc", headers={"X-Secret": "s3"}
    )
    assert created["is_active"] and created["headers"] == {"X-Secret": "s3"}
    assert created["store_hash"] == sandbox.store_hash and created["client_id"]
    other = await _hook(client, "store/order/created", "http://127.0.0.1:9/x", is_active=False)

    listed = (await client.call("GET", "/v3/hooks")).json()
    assert [h["id"] for h in listed["data"]] == [created["id"], other["id"]]
    assert listed["meta"]["pagination"]["total"] == 2
    active = (await client.call("GET", "/v3/hooks?is_active=true")).data
    assert [h["id"] for h in active] == [created["id"]]
    by_scope = (await client.call("GET", "/v3/hooks?scope=store/order/created")).data
    assert [h["id"] for h in by_scope] == [other["id"]]

    got = (await client.call("GET", f"/v3/hooks/{created['id']}")).data
    assert got == created
    updated = await client.call(
        "PUT", f"/v3/hooks/{created['id']}", {"is_active": False, "headers": {"X-Secret": "s4"}}
    )
    assert updated.data["is_active"] is False and updated.data["headers"] == {"X-Secret": "s4"}
    assert updated.data["created_at"] == created["created_at"]
    empty_update = await client.call("PUT", f"/v3/hooks/{created['id']}", {})
    assert empty_update.status == 422

    deleted = await client.call("DELETE", f"/v3/hooks/{created['id']}")
    assert deleted.status == 200 and deleted.data["id"] == created["id"]
    gone = await client.call("GET", f"/v3/hooks/{created['id']}")
    assert gone.status == 404 and str(created["id"]) in gone.json()["title"]


async def test_hook_refusals(client: Client) -> None:
    order = "store/order/created"
    cases = [
        ({"scope": order}, "destination"),
        ({"destination": "https://hooks.example/bc"}, "scope"),
        ({"scope": "not a scope", "destination": "https://hooks.example/bc"}, "scope"),
        ({"scope": order, "destination": "http://hooks.example/bc"}, "destination"),
        ({"scope": order, "destination": "https://hooks.example:8443/"}, "destination"),
        ({"scope": order, "destination": "https://h.example", "headers": {"a": 1}}, "headers"),
    ]
    for body, field_name in cases:
        reply = await client.call("POST", "/v3/hooks", body, validate_body=False)
        assert reply.status == 422, body
        assert field_name in reply.json()["errors"], reply.text
    await _hook(client, "store/order/created", "https://hooks.example/bc")
    twice = await client.call(
        "POST",
        "/v3/hooks",
        {"scope": "store/order/created", "destination": "https://hooks.example/bc"},
    )
    assert twice.status == 422 and "destination" in twice.json()["errors"]


async def test_hooks_belong_to_the_token_that_made_them(
    client: Client, sandbox: SandboxServer
) -> None:
    hook = await _hook(client, "store/order/created", "https://hooks.example/bc")
    sandbox.grant("second-account", [])  # the default scope alone manages hooks
    other = {"X-Auth-Token": "second-account"}
    assert (await client.call("GET", "/v3/hooks", headers=other)).data == []
    assert (await client.call("GET", f"/v3/hooks/{hook['id']}", headers=other)).status == 404
    assert (await client.call("DELETE", f"/v3/hooks/{hook['id']}", headers=other)).status == 404
    assert (await client.call("GET", f"/v3/hooks/{hook['id']}")).status == 200


async def test_payment_and_status_update_reach_the_hook_with_its_headers(
    client: Client, sandbox: SandboxServer, receiver: Receiver
) -> None:
    secret = {"X-Webhook-Secret": "hunter2", "X-Extra": "yes"}
    await _hook(client, "store/order/statusUpdated", receiver.url, headers=secret)
    await _hook(client, "store/order/created", receiver.url, headers=secret)

    order_id = await client.order(customer_id=1)
    headers, created = await receiver.next("store/order/created")
    assert created["data"] == {"type": "order", "id": order_id}
    assert headers["X-Webhook-Secret"] == "hunter2" and headers["X-Extra"] == "yes"

    assert (await client.pay(order_id, card())).status == 201
    headers, paid = await receiver.next("store/order/statusUpdated")
    assert headers["X-Webhook-Secret"] == "hunter2"
    assert paid["data"] == {
        "type": "order",
        "id": order_id,
        "status": {"previous_status_id": 0, "new_status_id": 11},
    }
    assert paid["producer"] == f"stores/{sandbox.store_hash}" and paid["store_id"].isdigit()

    shipped = await client.call("PUT", f"/v2/orders/{order_id}", {"status_id": 2})
    assert shipped.status == 200 and shipped.json()["status"] == "Shipped"
    _, moved = await receiver.next("store/order/statusUpdated")
    assert moved["data"]["status"] == {"previous_status_id": 11, "new_status_id": 2}

    for payload in (created, paid, moved):
        validate_callback(payload)  # webhooks.v3.yml's store_order_* schemas
    assert paid["hash"] != moved["hash"]

    await sandbox.callbacks_idle()
    recorded = [d for d in sandbox.deliveries if d.delivered]
    assert [d.scope for d in recorded] == [
        "store/order/created",
        "store/order/statusUpdated",
        "store/order/statusUpdated",
    ]
    assert all(d.headers["X-Webhook-Secret"] == "hunter2" for d in recorded)
    assert recorded[1].payload == paid


async def test_unchanged_status_sends_nothing_and_wildcards_get_every_order_event(
    client: Client, sandbox: SandboxServer, receiver: Receiver
) -> None:
    order_id = await client.order()
    await _hook(client, "store/order/*", receiver.url)
    same = await client.call("PUT", f"/v2/orders/{order_id}", {"status_id": 0})
    assert same.status == 200
    await client.call("PUT", f"/v2/orders/{order_id}", {"status_id": 5})
    await sandbox.callbacks_idle()
    scopes = {d.scope for d in sandbox.deliveries}
    assert scopes == {"store/order/statusUpdated", "store/order/updated"}
    assert all(d.payload["data"]["id"] == order_id for d in sandbox.deliveries)


async def test_callbacks_never_delay_the_api_answer(
    client: Client, sandbox: SandboxServer, receiver: Receiver
) -> None:
    receiver.hold = asyncio.Event()  # the receiver answers nothing until released
    await _hook(client, "store/order/statusUpdated", receiver.url)
    order_id = await client.order()
    reply = await client.pay(order_id, card())  # answered while the callback hangs
    assert reply.status == 201
    assert sandbox.deliveries == []  # the callback's attempt has not finished yet
    receiver.hold.set()
    _, body = await receiver.next("store/order/statusUpdated")
    assert body["data"]["id"] == order_id


async def test_failed_delivery_is_retried_then_the_hook_is_deactivated(
    client: Client, sandbox: SandboxServer, receiver: Receiver
) -> None:
    sandbox.set_webhook_retry_delays([0.01, 0.01])
    hook = await _hook(client, "store/order/statusUpdated", receiver.url)
    receiver.fail_next = 2  # first attempt and first retry get 503
    order_id = await client.order()
    await client.pay(order_id, card())
    _, body = await receiver.next("store/order/statusUpdated")
    assert body["data"]["id"] == order_id
    await sandbox.callbacks_idle()
    attempts = [(d.attempt, d.status) for d in sandbox.deliveries]
    assert attempts == [(1, 503), (2, 503), (3, 200)]
    assert len({d.payload["hash"] for d in sandbox.deliveries}) == 1  # one event, retried

    # A destination that never answers 2xx: every retry fails, then the hook is switched off.
    receiver.fail_next = 3
    await client.call("PUT", f"/v2/orders/{order_id}", {"status_id": 2})
    await sandbox.callbacks_idle()
    assert [d.status for d in sandbox.deliveries[3:]] == [503, 503, 503]
    state = (await client.call("GET", f"/v3/hooks/{hook['id']}")).data
    assert state["is_active"] is False
    await client.call("PUT", f"/v2/orders/{order_id}", {"status_id": 10})
    await sandbox.callbacks_idle()
    assert len(sandbox.deliveries) == 6  # an inactive hook gets nothing


async def test_unreachable_loopback_destination_is_retried_and_recorded(
    client: Client, sandbox: SandboxServer
) -> None:
    sandbox.set_webhook_retry_delays([0.01])
    await _hook(client, "store/order/created", "http://127.0.0.1:9/closed-port")
    await client.order()
    await sandbox.callbacks_idle()
    assert [(d.attempt, d.status) for d in sandbox.deliveries] == [(1, None), (2, None)]
    assert all(d.error for d in sandbox.deliveries)


async def test_non_loopback_destinations_get_no_traffic(
    client: Client, sandbox: SandboxServer
) -> None:
    await _hook(client, "store/order/created", "https://hooks.example/bc")
    await client.order()
    await sandbox.callbacks_idle()
    [attempt] = sandbox.deliveries
    assert attempt.status is None and attempt.error is not None and "loopback" in attempt.error


async def test_a_sandbox_in_its_own_thread_delivers_too(receiver: Receiver) -> None:
    # How `checkout-gateway serve` runs its embedded sandbox: another thread, another loop.
    threaded = await asyncio.to_thread(start_in_thread)
    try:
        async with aiohttp.ClientSession() as http:
            client = Client(http, threaded.server)
            await _hook(client, "store/order/created", receiver.url, headers={"X-Who": "thread"})
            order_id = await client.order()
        headers, body = await receiver.next("store/order/created")
        assert body["data"]["id"] == order_id and headers["X-Who"] == "thread"
    finally:
        await asyncio.to_thread(threaded.stop)
