"""Remembered owners in one process: kept for the TTL, then forgotten (a read upstream)."""

from __future__ import annotations

from gateway.stores.ownership import MemoryOwnershipStore
from tests.unit.stores.redis_support import Clock

CHECKOUT = "c6dc1026-ae05-483d-8e48-635ec8638c7a"


async def test_owners_are_kept_until_the_ttl_and_then_forgotten() -> None:
    clock = Clock()
    store = MemoryOwnershipStore(600, clock=clock)
    await store.remember_checkout(CHECKOUT, 0)
    await store.remember_order(100, 1)
    assert await store.checkout_owner(CHECKOUT) == 0  # a guest's: 0, not "no entry"
    assert await store.order_owner(100) == 1
    assert await store.order_owner(101) is None
    await store.remember_checkout(CHECKOUT, 1)  # signIn adopted it
    clock.now += 599
    assert await store.checkout_owner(CHECKOUT) == 1
    clock.now += 2
    assert await store.checkout_owner(CHECKOUT) is None
    assert await store.order_owner(100) is None


async def test_a_checkout_and_an_order_with_the_same_id_are_apart() -> None:
    store = MemoryOwnershipStore(600)
    await store.remember_order(100, 2)
    assert await store.checkout_owner("100") is None
