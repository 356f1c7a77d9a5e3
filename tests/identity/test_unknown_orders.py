"""A genuine order id (signed with the gateway's secret) for an order BigCommerce does not
have answers NOT_FOUND in the words of someone else's order; an order that cannot be read
is UPSTREAM_UNAVAILABLE, never a reason to let anyone through."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from gateway.bootstrap import create_app
from gateway.domain.order_ids import OrderIdCodec
from gateway.sandbox import Fault, SandboxServer
from tests import live_gateway as live
from tests.flow import GOOD_CARD, shopper_headers, sign_in, unpaid_order
from tests.graphql_ops import Operations

SECRET = "unknown-orders-test-secret-0123456789"


@contextlib.asynccontextmanager
async def _serving(sandbox: SandboxServer) -> AsyncIterator[live.LiveGateway]:
    """A gateway of its own (its own remembered owners), with this module's secret."""
    settings = live.gateway_settings(sandbox, GATEWAY_SECRET=SECRET)
    server, task, url = await live.serve(create_app(settings))
    try:
        async with aiohttp.ClientSession() as http:
            yield live.LiveGateway(url, http, sandbox, Operations.load(), None)
    finally:
        await live.stop(server, task)


@pytest_asyncio.fixture
async def own(sandbox: SandboxServer) -> AsyncIterator[live.LiveGateway]:
    async with _serving(sandbox) as gateway:
        yield gateway


async def test_an_order_bigcommerce_does_not_have_is_not_found(own, sandbox) -> None:
    missing = OrderIdCodec(SECRET.encode(), sandbox.store_hash).encode(987_654)
    jane = shopper_headers(await sign_in(own, 1))
    for headers in (None, jane):
        order = await own.run("Order", {"id": missing}, headers)
        assert [(e["extensions"]["code"], e["message"]) for e in order["errors"]] == [
            ("NOT_FOUND", "Not found.")
        ]
        methods = await own.run("PaymentMethods", {"orderId": missing}, headers)
        assert methods["data"]["paymentMethods"] is None
        paid = await own.run(
            "PayWithCard",
            {"input": {"orderId": missing, "paymentMethodId": "braintree.card", "card": GOOD_CARD}},
            headers,
        )
        assert paid["data"]["payWithCard"]["errors"] == [
            {"code": "NOT_FOUND", "field": ["input", "orderId"], "message": "Not found."}
        ]
    assert [r for r in sandbox.requests if r.host == "payments"] == []


async def test_an_unreadable_order_is_upstream_unavailable(own, sandbox) -> None:
    # Made through another gateway: ``own`` has not seen the order, so it must read its owner.
    async with _serving(sandbox) as other:
        order = await unpaid_order(other)
    sandbox.faults.add(method="GET", path=r".*/v2/orders/\d+", fault=Fault.status(503), times=None)
    paid = await own.run(
        "PayWithCard",
        {"input": {"orderId": order["id"], "paymentMethodId": "braintree.card", "card": GOOD_CARD}},
    )
    assert [e["code"] for e in paid["data"]["payWithCard"]["errors"]] == ["UPSTREAM_UNAVAILABLE"]
    assert [r for r in sandbox.requests if r.host == "payments"] == []
