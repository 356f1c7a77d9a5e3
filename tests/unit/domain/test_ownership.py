"""The domain's use of remembered owners: one spelling per checkout, a failure is a miss."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.domain.models import Money, Order
from gateway.domain.ownership import OWNERSHIP_TTL_S, Owners
from gateway.errors import ErrorCode, GatewayError
from gateway.stores.ownership import MemoryOwnershipStore

CHECKOUT = "c6dc1026-ae05-483d-8e48-635ec8638c7a"


class DownStore:
    """A shared store that cannot be reached: every call fails as the Redis store does."""

    def __init__(self) -> None:
        self.calls = 0

    def _fail(self) -> GatewayError:
        self.calls += 1
        return GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "The shared store is down.")

    async def checkout_owner(self, checkout_id: str) -> int | None:
        raise self._fail()

    async def order_owner(self, number: int) -> int | None:
        raise self._fail()

    async def remember_checkout(self, checkout_id: str, customer_id: int) -> None:
        raise self._fail()

    async def remember_order(self, number: int, customer_id: int) -> None:
        raise self._fail()


def order(number: int, customer_id: int) -> Order:
    total = Money(Decimal("10.00"), "USD")
    return Order("opaque", number, "Incomplete", 0, None, total, customer_id, CHECKOUT)


async def test_every_spelling_of_a_checkout_id_finds_the_one_entry() -> None:
    owners = Owners(MemoryOwnershipStore(OWNERSHIP_TTL_S))
    await owners.checkout_is(CHECKOUT.upper(), 1)
    assert await owners.of_checkout(CHECKOUT) == 1
    assert await owners.of_checkout("{" + CHECKOUT + "}") == 1
    assert await owners.of_checkout(CHECKOUT.replace("-", "")) == 1


async def test_what_cannot_be_a_checkout_id_is_neither_kept_nor_found() -> None:
    store = MemoryOwnershipStore(OWNERSHIP_TTL_S)
    owners = Owners(store)
    await owners.checkout_is("no-such-cart", 1)
    assert await owners.of_checkout("no-such-cart") is None
    assert await store.checkout_owner("no-such-cart") is None


async def test_orders_are_remembered_by_number() -> None:
    owners = Owners(MemoryOwnershipStore(OWNERSHIP_TTL_S))
    await owners.saw_order(order(100, 2))
    assert await owners.of_order(100) == 2
    assert await owners.of_order(101) is None


async def test_a_store_that_fails_is_a_miss_never_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = DownStore()
    owners = Owners(store)
    assert await owners.of_checkout(CHECKOUT) is None
    assert await owners.of_order(100) is None
    await owners.checkout_is(CHECKOUT, 1)
    await owners.saw_order(order(100, 1))
    assert store.calls == 4
    assert [r.getMessage() for r in caplog.records] == [
        "checkout owner not remembered: the next step reads it upstream",
        "order owner not remembered: the next step reads it upstream",
    ]
