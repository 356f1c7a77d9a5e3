"""Amounts: minor units per currency, remembered once parsed, never confused across types;
answers field by field."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from gateway.bigcommerce import parse
from gateway.bigcommerce.errors import MalformedAnswer
from gateway.bigcommerce.parse import money
from gateway.domain.models import (
    ADDRESS_FIELDS,
    Address,
    AppliedCoupon,
    Cart,
    Checkout,
    Consignment,
    LineItem,
    Money,
    ShippingOption,
)


def test_amounts_in_minor_units_the_same_when_remembered() -> None:
    for _ in range(2):  # parsed, then remembered
        assert money(49.9, "USD") == Money(Decimal("49.90"), "USD")
        assert money("49.9000", "USD") == Money(Decimal("49.90"), "USD")
        assert money(1, "USD") == Money(Decimal("1.00"), "USD")
        assert money(1, "JPY") == Money(Decimal("1"), "JPY")
        assert money(None, "USD") == Money(Decimal("0.00"), "USD")


@pytest.mark.parametrize("value", [True, "lots", [1]])
def test_what_is_no_amount_is_refused_even_beside_a_remembered_one(value: object) -> None:
    money(1, "USD")  # True == 1: the type keeps them apart
    with pytest.raises(MalformedAnswer):
        money(value, "USD")


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "MAX_AMOUNTS", 3)
    for cents in range(10):
        assert money(cents / 100, "EUR").amount == Decimal(cents) / 100
        assert len(parse._AMOUNTS) <= 3


def test_every_address_field_lands_in_its_own_place() -> None:
    answer: dict[str, object] = {name: f"{name}!" for name in ADDRESS_FIELDS}
    answer["id"] = 77
    answer["phone"] = 5551234  # not text upstream: said as text
    parsed = parse.address(answer)
    assert parsed == Address(
        id="77", **{name: f"{name}!" for name in ADDRESS_FIELDS[:-1]}, phone="5551234"
    )
    assert parse.address({"id": None, "city": "Austin"}) == Address(city="Austin")
    assert parse.address({}) is None
    assert parse.address(None) is None


def test_a_cart_line_and_consignment_each_field_in_its_own_place() -> None:
    option = {"id": 5, "description": "Ground", "type": "shipping_flatrate", "cost": 7}
    consignment = parse.consignment(
        {
            "id": "k1",
            "shipping_address": {"city": "Austin"},
            "line_item_ids": ["l1", 2],
            "available_shipping_options": [{**option, "transit_time": 3}],
            "selected_shipping_option": option,
            "shipping_cost_ex_tax": "7.5",
        },
        "USD",
    )
    ground = ShippingOption("5", "Ground", "shipping_flatrate", None, Money(Decimal("7.00"), "USD"))
    assert consignment == Consignment(
        id="k1",
        address=Address(city="Austin"),
        line_item_ids=["l1", "2"],
        available_shipping_options=[dataclasses.replace(ground, transit_time="3")],
        selected_shipping_option=ground,
        shipping_cost=Money(Decimal("7.50"), "USD"),
    )
    line = {"id": "l1", "product_id": 111, "variant_id": 211, "name": "Mug", "quantity": 2}
    prices = {"list_price": 10, "sale_price": 9, "extended_sale_price": 18}
    cart = parse.cart(
        {
            "id": "c1",
            "customer_id": 4,
            "currency": {"code": "EUR"},
            "line_items": {"digital_items": [{**line, **prices}]},
            "base_amount": 20,
            "cart_amount": 18,
        }
    )
    assert cart == Cart(
        id="c1",
        customer_id=4,
        currency_code="EUR",
        line_items=[
            LineItem(
                id="l1",
                product_id=111,
                variant_id=211,
                name="Mug",
                quantity=2,
                list_price=Money(Decimal("10.00"), "EUR"),
                sale_price=Money(Decimal("9.00"), "EUR"),
                extended_sale_price=Money(Decimal("18.00"), "EUR"),
                is_physical=False,
            )
        ],
        base_amount=Money(Decimal("20.00"), "EUR"),
        cart_amount=Money(Decimal("18.00"), "EUR"),
    )


def test_a_checkout_each_field_in_its_own_place() -> None:
    def usd(amount: str) -> Money:
        return Money(Decimal(amount), "USD")

    the_cart = {"id": "c1", "customer_id": 4, "base_amount": 30, "cart_amount": 25}
    parsed = parse.checkout(
        {
            "id": "c1",
            "version": 3,
            "order_id": "120",
            "cart": the_cart,
            "billing_address": {"id": 8, "city": "Austin"},
            "consignments": [{"id": "k1", "shipping_cost_ex_tax": 6}],
            "subtotal_ex_tax": 25,
            "shipping_cost_total_ex_tax": 6,
            "tax_total": 2,
            "grand_total": 33,
            "coupons": [{"code": "SAVE5", "discounted_amount": 5}],
            "customer_message": "Leave it at the door",
        },
        lambda number: f"ord_{number}",
    )
    assert parsed == Checkout(
        id="c1",
        version=3,
        order_number=120,
        order_id="ord_120",
        cart=Cart("c1", 4, "USD", [], usd("30.00"), usd("25.00")),
        billing_address=Address(id="8", city="Austin"),
        consignments=[Consignment("k1", Address(), [], None, None, usd("6.00"))],
        subtotal=usd("25.00"),
        shipping_cost_total=usd("6.00"),
        tax_total=usd("2.00"),
        grand_total=usd("33.00"),
        coupons=[AppliedCoupon("SAVE5", usd("5.00"))],
        discount_total=usd("5.00"),
        customer_message="Leave it at the door",
    )
    assert parse.checkout({"id": "c2", "cart": the_cart, "customer_message": ""}).order_id is None
