"""The models' quicker __init__: the same constructor and the same frozen dataclass as before."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal

import pytest

from gateway.domain import models
from gateway.domain.models import Address, AppliedCoupon, Cart, Checkout, Money
from gateway.domain.slot_init import slot_init

MODELS = [
    value
    for value in vars(models).values()
    if isinstance(value, type)
    and dataclasses.is_dataclass(value)
    and value.__module__ == models.__name__
]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_each_model_is_built_as_its_plain_dataclass_would_be(model: type) -> None:
    params = dataclasses.fields(model)
    plain = dataclasses.make_dataclass(
        model.__name__,
        [
            (
                f.name,
                f.type,
                dataclasses.field(default=f.default, default_factory=f.default_factory),
            )
            for f in params
        ],
        frozen=True,
        slots=True,
    )
    assert vars(model)["__init__"] is not vars(plain)["__init__"]
    assert _parameters(model) == _parameters(plain)
    values = {f.name: f"value of {f.name}" for f in params}
    built = model(**values)
    assert {name: getattr(built, name) for name in values} == values
    assert model(*values.values()) == built
    assert hash(model(**values)) == hash(built)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, params[0].name, "changed")
    with pytest.raises(TypeError):
        model(**values, not_a_field=1)


def _parameters(cls: type) -> list[tuple[str, object, object]]:
    """Each parameter of ``cls.__init__``: its name, kind and default (a factory's: "factory")."""
    factories = {
        f.name for f in dataclasses.fields(cls) if f.default_factory is not dataclasses.MISSING
    }
    return [
        (p.name, p.kind, "factory" if p.name in factories else p.default)
        for p in inspect.signature(vars(cls)["__init__"]).parameters.values()
    ]


def test_defaults_and_default_factories_are_given_anew() -> None:
    zero = Money(Decimal("0.00"), "USD")
    cart = Cart("c", 0, "USD", [], zero, zero)
    first = Checkout("c", 1, None, cart, None, [], zero, zero, zero, zero)
    second = Checkout("c", 1, None, cart, None, [], zero, zero, zero, zero)
    assert first.coupons == [] and first.coupons is not second.coupons
    assert (first.order_id, first.discount_total, first.customer_message) == (None, None, None)
    coupon = AppliedCoupon("SAVE", zero)
    with_coupon = Checkout("c", 1, None, cart, None, [], zero, zero, zero, zero, coupons=[coupon])
    assert with_coupon.coupons == [coupon]
    assert Address() == Address(
        None, None, None, None, None, None, None, None, None, None, None, None, None
    )
    assert dataclasses.replace(Address(city="Austin"), city="Dallas") == Address(city="Dallas")
    with pytest.raises(TypeError):
        Money(Decimal(1))  # type: ignore[call-arg]


def test_what_it_cannot_build_as_a_dataclass_would_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class After:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordsOnly:
        a: int

    for cls in (NoSlots, After, KeywordsOnly):
        with pytest.raises(TypeError):
            slot_init(cls)
