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
    Cart,
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
