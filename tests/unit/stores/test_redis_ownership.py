"""Remembered owners in a real Redis, shared by two "replicas" (Redis: see conftest.py)."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from gateway.errors import ErrorCode, GatewayError
from gateway.stores.redis_ownership import PREFIX, RedisOwnershipStore
from tests.unit.stores.redis_support import SECRET, Clock, all_keys

CHECKOUT = "c6dc1026-ae05-483d-8e48-635ec8638c7a"


async def test_an_owner_written_on_one_replica_is_read_on_the_other(
    replicas: tuple[Redis, Redis],
) -> None:
    first, second = replicas
    on_first = RedisOwnershipStore(first, SECRET, "store", 600)
    on_second = RedisOwnershipStore(second, SECRET, "store", 600)
    await on_first.remember_checkout(CHECKOUT, 0)
    assert await on_second.checkout_owner(CHECKOUT) == 0
    await on_second.remember_checkout(CHECKOUT, 1)  # signIn on the second adopts the cart
    assert await on_first.checkout_owner(CHECKOUT) == 1
    await on_first.remember_order(100, 1)
    assert await on_second.order_owner(100) == 1
    assert await on_second.order_owner(101) is None
    keys = await all_keys(first)
    assert len(keys) == 2 and all(key.startswith(PREFIX) for key in keys)
    # A guest checkout's id is all it takes to reach it: never in a key.
    assert all(CHECKOUT not in key and "100" not in key.removeprefix(PREFIX) for key in keys)
    for key in keys:
        assert 599 < await first.pttl(key) / 1000 <= 600


async def test_two_stores_behind_one_redis_share_no_entry(replicas: tuple[Redis, Redis]) -> None:
    first, _ = replicas
    await RedisOwnershipStore(first, SECRET, "store-a", 600).remember_order(100, 1)
    assert await RedisOwnershipStore(first, SECRET, "store-b", 600).order_owner(100) is None


async def test_a_value_not_written_by_the_gateway_is_no_entry(
    replicas: tuple[Redis, Redis],
) -> None:
    first, _ = replicas
    store = RedisOwnershipStore(first, SECRET, "store", 600)
    await store.remember_checkout(CHECKOUT, 1)
    (key,) = await all_keys(first)
    await first.set(key, b"not a number")
    assert await store.checkout_owner(CHECKOUT) is None


async def test_unreachable_redis_is_the_shared_store_error(dead_redis: Redis) -> None:
    store = RedisOwnershipStore(dead_redis, SECRET, "store", 600)
    for attempt in (store.checkout_owner(CHECKOUT), store.remember_order(100, 1)):
        with pytest.raises(GatewayError) as caught:
            await attempt
        assert caught.value.code is ErrorCode.UPSTREAM_UNAVAILABLE


async def test_an_order_owner_is_kept_in_process_for_a_minute_a_checkout_owner_never(
    replicas: tuple[Redis, Redis],
) -> None:
    first, second = replicas
    clock = Clock()
    reader = RedisOwnershipStore(first, SECRET, "store", 600, clock=clock)
    writer = RedisOwnershipStore(second, SECRET, "store", 600)
    await writer.remember_order(100, 1)
    await writer.remember_checkout(CHECKOUT, 0)
    assert await reader.order_owner(100) == 1
    assert await reader.checkout_owner(CHECKOUT) == 0
    await first.flushdb()  # Redis forgets: the order's owner is still known here
    await writer.remember_checkout(CHECKOUT, 1)  # a sign-in on the other replica
    assert await reader.order_owner(100) == 1
    assert await reader.checkout_owner(CHECKOUT) == 1  # never a copy of a checkout's owner
    clock.now += 61
    assert await reader.order_owner(100) is None
