"""Amounts: minor units per currency, remembered once parsed, never confused across types;
addresses field by field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.bigcommerce import parse
from gateway.bigcommerce.errors import MalformedAnswer
from gateway.bigcommerce.parse import money
from gateway.domain.models import ADDRESS_FIELDS, Address, Money


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
