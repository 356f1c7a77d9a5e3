"""The breaker over real HTTP: a blip does not turn shoppers away, an outage fails fast.

It judges client requests (a request with its retries is one outcome) by their
failure rate over a window, and opens at once only when connections are refused.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import urlsplit

from gateway.sandbox import Fault, SandboxServer
from gateway.settings import BreakerSettings
from tests.flow import checkout_ready_to_order, pay_by_card, unpaid_order
from tests.reliability.reliability_support import CHECKOUT, PAYMENTS, own_gateway, sent

CARTS = r".*/v3/carts"
ORDERS = r".*/v3/checkouts/[^/]+/orders"
SHORT_READS = {"GATEWAY_TIMEOUT_READ_S": "0.2"}  # a read that hangs times out quickly
CREATE_ORDER = """
mutation ($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id } errors { code retryAfterMs } }
}"""
NEW_CART = {"input": {"lineItems": [{"productId": 111, "quantity": 1}], "currencyCode": "USD"}}


def code_of(answer: dict[str, Any]) -> str:
    return str(answer["errors"][0]["extensions"]["code"])


async def create_order(gateway: Any, checkout_id: str, key: str) -> dict[str, Any]:
    variables = {"input": {"checkoutId": checkout_id, "idempotencyKey": key}}
    status, body = await gateway.post({"query": CREATE_ORDER, "variables": variables})
    assert status == 200, body
    return body["data"]["createOrder"]  # type: ignore[no-any-return]


async def test_two_failed_requests_then_recovery_the_next_create_cart_is_served(
    sandbox,
) -> None:
    """The scenario of issue 12, with the default breaker settings."""
    async with own_gateway(sandbox, **SHORT_READS) as gateway:
        checkout = await checkout_ready_to_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="GET", path=CHECKOUT, fault=Fault.html_502(), times=None)
        failed = await gateway.run("Checkout", {"id": checkout["id"]})
        assert code_of(failed) == "UPSTREAM_UNAVAILABLE"
        assert sent(sandbox, "GET", CHECKOUT) == 3  # one request, three attempts

        sandbox.faults.clear()
        sandbox.clear_requests()
        sandbox.faults.add(method="GET", path=CHECKOUT, fault=Fault.delay(1.0), times=None)
        timed_out = await gateway.run("Checkout", {"id": checkout["id"]})
        assert code_of(timed_out) == "UPSTREAM_UNAVAILABLE"
        assert sent(sandbox, "GET", CHECKOUT) >= 2  # timed out, retried, timed out again

        sandbox.faults.clear()  # BigCommerce recovers
        sandbox.clear_requests()
        created = (await gateway.run("CreateCart", NEW_CART))["data"]["createCart"]
        assert created["errors"] == []
        assert created["cart"]["lineItems"][0]["quantity"] == 1
        assert sent(sandbox, "POST", CARTS) == 1


async def test_open_refuses_without_sending_keeps_the_key_free_then_probes_and_closes(
    sandbox,
) -> None:
    env = {
        "GATEWAY_BREAKER_MIN_CALLS": "2",
        "GATEWAY_BREAKER_FAILURE_RATE": "0.01",  # any failed request opens it (after 2)
        "GATEWAY_BREAKER_COOLDOWN_S": "0.3",
        "GATEWAY_BREAKER_HALF_OPEN_PROBES": "1",
    }
    async with own_gateway(sandbox, **env) as gateway:
        checkout = await checkout_ready_to_order(gateway)
        sandbox.faults.add(method="*", path=r".*", fault=Fault.status(503), times=None)
        down = await gateway.run("Checkout", {"id": checkout["id"]})
        assert code_of(down) == "UPSTREAM_UNAVAILABLE"
        assert "retryAfterMs" not in down["errors"][0]["extensions"]  # BigCommerce answered

        sandbox.clear_requests()
        key = f"order-{uuid.uuid4()}"
        refused = await create_order(gateway, checkout["id"], key)
        assert refused["errors"][0]["code"] == "UPSTREAM_UNAVAILABLE"
        assert 0 < refused["errors"][0]["retryAfterMs"] <= 300  # until half-open
        fast = await gateway.run("Checkout", {"id": checkout["id"]})
        assert 0 < fast["errors"][0]["extensions"]["retryAfterMs"] <= 300
        assert sandbox.requests == []  # open: nothing sent

        sandbox.faults.clear()  # the upstream comes back
        await asyncio.sleep(0.35)  # past the cool-down: the next request is the probe
        created = await create_order(gateway, checkout["id"], key)  # the same key: still free
        assert created["errors"] == []
        assert created["order"]["id"]
        assert sent(sandbox, "POST", ORDERS) == 1
        again = await gateway.run("Checkout", {"id": checkout["id"]})
        assert "errors" not in again  # closed by the probe


async def test_a_payment_the_open_breaker_refuses_keeps_its_key_free(sandbox) -> None:
    env = {
        "GATEWAY_BREAKER_MIN_CALLS": "2",
        "GATEWAY_BREAKER_FAILURE_RATE": "0.01",
        "GATEWAY_BREAKER_COOLDOWN_S": "0.3",
        "GATEWAY_BREAKER_HALF_OPEN_PROBES": "1",
    }
    async with own_gateway(sandbox, **env) as gateway:
        order = await unpaid_order(gateway)
        sandbox.faults.add(method="*", path=r".*", fault=Fault.status(503), times=None)
        down = await gateway.run("Order", {"id": order["id"]})
        assert code_of(down) == "UPSTREAM_UNAVAILABLE"

        sandbox.clear_requests()
        key = f"pay-{uuid.uuid4()}"
        refused = await pay_by_card(gateway, order["id"], key=key)
        assert [e["code"] for e in refused["errors"]] == ["UPSTREAM_UNAVAILABLE"]
        assert sandbox.requests == []  # open: nothing sent, not even the order read

        sandbox.faults.clear()
        await asyncio.sleep(0.35)  # past the cool-down: the next request is the probe
        # The probe closes the breaker (a payment's token and methods calls go out together,
        # and one probe admits one of them).
        assert "errors" not in await gateway.run("Order", {"id": order["id"]})
        paid = await pay_by_card(gateway, order["id"], key=key)  # the same key: still free
        assert paid["errors"] == [] and paid["order"]["statusId"] == 11
        assert sent(sandbox, "POST", PAYMENTS) == 1


async def test_a_real_outage_fails_fast_from_the_breaker_then_recovers() -> None:
    """The upstream stops listening (connections refused), then comes back on its ports."""
    store = await SandboxServer.start(host="127.0.0.1")
    api_port, payments_port = (urlsplit(url).port for url in (store.api_url, store.payments_url))
    env = {"GATEWAY_BREAKER_COOLDOWN_S": "0.3"}  # the default rule for refused connections
    try:
        async with own_gateway(store, **env) as gateway:
            checkout = await checkout_ready_to_order(gateway)
            await store.close()  # the outage: nothing listens on its ports any more
            for _ in range(BreakerSettings().hard_down_failures):
                refused = await gateway.run("Checkout", {"id": checkout["id"]})
                assert code_of(refused) == "UPSTREAM_UNAVAILABLE"
                assert "retryAfterMs" not in refused["errors"][0]["extensions"]
            for _ in range(3):  # open: answered by the breaker, no connection tried
                fast = await gateway.run("Checkout", {"id": checkout["id"]})
                assert code_of(fast) == "UPSTREAM_UNAVAILABLE"
                assert 0 < fast["errors"][0]["extensions"]["retryAfterMs"] <= 300

            # Back on the same ports (a new, empty store: the cart is new too).
            store = await SandboxServer.start(
                host="127.0.0.1", port=api_port or 0, payments_port=payments_port or 0
            )
            await asyncio.sleep(0.35)  # past the cool-down
            created = (await gateway.run("CreateCart", NEW_CART))["data"]["createCart"]
            assert created["errors"] == []
            assert sent(store, "POST", CARTS) == 1
    finally:
        await store.close()
