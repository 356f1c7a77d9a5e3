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


async def test_an_answer_naming_the_owner_again_restarts_its_life_once_it_is_not_new() -> None:
    clock = Clock()
    store = MemoryOwnershipStore(600, clock=clock)
    await store.remember_checkout(CHECKOUT, 7)
    clock.now += 59  # within the first tenth of the TTL: the entry is kept as it is
    await store.remember_checkout(CHECKOUT, 7)
    clock.now += 540  # 599 s after the first write
    assert await store.checkout_owner(CHECKOUT) == 7
    await store.remember_checkout(CHECKOUT, 7)  # older than a tenth: written again
    clock.now += 599
    assert await store.checkout_owner(CHECKOUT) == 7
    clock.now += 2
    assert await store.checkout_owner(CHECKOUT) is None


async def test_no_entry_outlives_the_ttl_after_the_answers_that_named_its_owner() -> None:
    clock = Clock()
    store = MemoryOwnershipStore(600, clock=clock)
    await store.remember_order(100, 3)
    for _ in range(100):  # confirmed every second: never later than 600 s after the last
        clock.now += 1
        await store.remember_order(100, 3)
    clock.now += 600
    assert await store.order_owner(100) is None


async def test_a_changed_owner_is_written_at_once_with_a_whole_ttl() -> None:
    clock = Clock()
    store = MemoryOwnershipStore(600, clock=clock)
    await store.remember_checkout(CHECKOUT, 0)
    clock.now += 1
    await store.remember_checkout(CHECKOUT, 9)  # signIn adopted the guest cart
    assert await store.checkout_owner(CHECKOUT) == 9
    clock.now += 599
    assert await store.checkout_owner(CHECKOUT) == 9
    clock.now += 1
    assert await store.checkout_owner(CHECKOUT) is None


async def test_a_full_store_drops_the_entry_written_first() -> None:
    clock = Clock()
    store = MemoryOwnershipStore(600, maxsize=3, clock=clock)
    for number in (1, 2, 3):
        await store.remember_order(number, number)
        clock.now += 100
    await store.remember_order(1, 11)  # rewritten: now the newest
    await store.remember_order(4, 4)  # full: 2, the oldest written, goes
    assert [await store.order_owner(n) for n in (1, 2, 3, 4)] == [11, None, 3, 4]
    clock.now += 500  # 3 (written at 200) expires at 800; 1 and 4 (at 300) are kept
    await store.remember_order(5, 5)
    assert [await store.order_owner(n) for n in (1, 3, 4, 5)] == [11, None, 4, 5]
    await store.remember_order(6, 6)  # full again: 1, the oldest written now, goes
    assert [await store.order_owner(n) for n in (1, 4, 5, 6)] == [None, 4, 5, 6]
