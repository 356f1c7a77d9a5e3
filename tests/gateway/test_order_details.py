"""Order details beyond the confirmation route: an order shown without its body is read once,
BigCommerce's other answers (204, 422, malformed) are understood, readiness rules."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from gateway.bigcommerce import parse_orders
from gateway.bigcommerce.errors import MalformedAnswer
from gateway.bootstrap import Runtime
from gateway.domain.models import (
    Address,
    Cart,
    Checkout,
    Consignment,
    LineItem,
    Money,
    ShippingOption,
)
from gateway.domain.order_readiness import missing_for_order
from gateway.errors import ErrorCode, GatewayError
from gateway.sandbox.faults import Fault
from tests.flow import checkout_ready_to_order, no_errors, run_edit
from tests.live_gateway import gateway_settings

DETAILS_ON_CREATE = """
mutation CreateOrderWithDetails($input: CreateOrderInput!) {
  createOrder(input: $input) {
    order { number subtotal { amount } taxTotal { amount } shippingCostTotal { amount }
            discountTotal { amount } customerMessage createdAt
            billingAddress { city } lineItems { sku quantity } }
    errors { code field message }
  }
}
"""


async def test_an_order_made_now_reads_its_details_once_when_asked(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    gateway.sandbox.clear_requests()
    status, body = await gateway.post(
        {
            "query": DETAILS_ON_CREATE,
            "variables": {
                "input": {"checkoutId": checkout["id"], "idempotencyKey": str(uuid.uuid4())}
            },
        }
    )
    assert status == 200, body
    order = no_errors(body["data"]["createOrder"])["order"]
    assert Decimal(order["subtotal"]["amount"]) == Decimal(checkout["subtotal"]["amount"])
    assert Decimal(order["taxTotal"]["amount"]) == Decimal(checkout["taxTotal"]["amount"])
    assert order["billingAddress"]["city"] == "Austin" and order["customerMessage"] is None
    assert order["lineItems"] == [{"sku": "MUG-111", "quantity": 2}]
    order_reads = [
        r.path for r in gateway.sandbox.requests if r.method == "GET" and "/v2/orders/" in r.path
    ]
    number = order["number"]
    assert sorted(p.rsplit("/v2/", 1)[1] for p in order_reads) == [
        f"orders/{number}",
        f"orders/{number}/products",
    ]


async def test_a_coupon_refused_with_422_is_coupon_invalid(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    gateway.sandbox.faults.add(
        method="POST",
        path=r".*/coupons$",
        fault=Fault.status(422, {"status": 422, "title": "Coupon is not eligible", "type": "x"}),
    )
    answer = await run_edit(
        gateway, "ApplyCoupon", {"input": {"checkoutId": checkout["id"], "code": "SAVE10"}}
    )
    errors = answer["data"]["applyCoupon"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("COUPON_INVALID", ["input", "code"])]
    assert "eligible" not in errors[0]["message"]  # our words, never BigCommerce's


async def test_an_empty_order_list_may_be_204(gateway) -> None:
    runtime = await Runtime.open(gateway_settings(gateway.sandbox))
    try:
        gateway.sandbox.faults.add(
            method="GET", path=r".*/v2/orders$", fault=Fault.status(204, b"")
        )
        page = await runtime.orders.history(1, 5, None)
        assert page.edges == [] and not page.has_next_page
        gateway.sandbox.faults.add(
            method="GET", path=r".*/v2/orders$", fault=Fault.status(200, {"not": "a list"})
        )
        with pytest.raises(GatewayError) as caught:
            await runtime.orders.history(1, 5, None)
        assert caught.value.code is ErrorCode.UPSTREAM_UNAVAILABLE
    finally:
        await runtime.close()


def test_v2_bodies_that_say_little_are_read_as_unknown() -> None:
    assert parse_orders.created_at("not a date") is None
    assert parse_orders.created_at(None) is None
    assert parse_orders.created_at("Tue, 01 Dec 2026 10:00:00").isoformat() == (  # type: ignore[union-attr]
        "2026-12-01T10:00:00+00:00"
    )
    assert parse_orders.address({}) is None and parse_orders.address("x") is None
    order = parse_orders.order({"id": 7, "total_inc_tax": "1.5"}, lambda n: f"ord_{n}")
    assert order.details is not None and order.details.billing_address is None
    assert order.details.discount_total.amount == Decimal("0.00")
    bads: list[object] = [[], {"id": "x"}, {"no": "id"}]
    for bad in bads:
        with pytest.raises(MalformedAnswer):
            parse_orders.order(bad, str)
    with pytest.raises(MalformedAnswer):
        parse_orders.order_line("x", "USD")
    with pytest.raises(MalformedAnswer):
        parse_orders.details({"coupon_discount": "lots"}, "USD")


def _checkout(lines: list[LineItem], consignments: list[Consignment]) -> Checkout:
    usd = Money(Decimal("0"), "USD")
    cart = Cart("c", 0, "USD", lines, usd, usd)
    billing = Address(email="jane@example.com")
    return Checkout("c", 1, None, cart, billing, consignments, usd, usd, usd, usd)


def _line(item_id: str, *, physical: bool) -> LineItem:
    usd = Money(Decimal("1"), "USD")
    return LineItem(item_id, 1, None, "x", 1, usd, usd, usd, is_physical=physical)


@pytest.mark.parametrize(
    ("lines", "consignments", "missing"),
    [
        ([("d", False)], [], None),  # a digital line ships nowhere
        ([("p", True), ("d", False)], [], "no shipping address"),
        ([("p", True)], [("p", False)], "no shipping option selected"),
        ([("p", True)], [("p", True)], None),
    ],
)
def test_an_order_needs_every_physical_line_shipped_with_an_option(
    lines: list[tuple[str, bool]], consignments: list[tuple[str, bool]], missing: str | None
) -> None:
    usd = Money(Decimal("5"), "USD")
    option = ShippingOption("o", "Flat Rate", "shipping_flatrate", None, usd)
    made: list[Any] = [
        Consignment(f"c{i}", Address(), [item], None, option if chosen else None, usd)
        for i, (item, chosen) in enumerate(consignments)
    ]
    checkout = _checkout([_line(i, physical=p) for i, p in lines], made)
    found = missing_for_order(checkout)
    assert (found is None) if missing is None else (found is not None and missing in found)
