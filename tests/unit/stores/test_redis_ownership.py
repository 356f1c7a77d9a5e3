"""Remembered owners in a real Redis, shared by two "replicas" (Redis: see conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
import pytest_asyncio
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


async def writes(client: Redis) -> int:
    """SETs the Redis server ran since the test began (its own count, not ours)."""
    stats = await client.info("commandstats")
    return int(stats.get("cmdstat_set", {}).get("calls", 0))


@pytest_asyncio.fixture
async def counted(replicas: tuple[Redis, Redis]) -> tuple[Redis, Redis]:
    await replicas[0].config_resetstat()
    return replicas


async def test_a_repeat_within_a_tenth_of_the_ttl_is_not_written(
    counted: tuple[Redis, Redis],
) -> None:
    first, _ = counted
    clock = Clock()
    store = RedisOwnershipStore(first, SECRET, "store", 600, clock=clock)
    await store.remember_checkout(CHECKOUT, 7)
    await store.remember_order(100, 7)
    (checkout_key,) = [key for key in await all_keys(first) if ":checkout:" in key]
    written_ttl_ms = await first.pttl(checkout_key)
    clock.now += 59  # every answer of a polling client names the owner again: no write
    for _ in range(5):
        await store.remember_checkout(CHECKOUT, 7)
        await store.remember_order(100, 7)
    assert await writes(first) == 2
    # Nothing moved the expiry: never later than the TTL after the last write.
    assert await first.pttl(checkout_key) <= written_ttl_ms
    clock.now += 2  # 61 s: a tenth of the TTL has passed, the answer is written again
    await store.remember_checkout(CHECKOUT, 7)
    assert await writes(first) == 3
    assert 599 < await first.pttl(checkout_key) / 1000 <= 600
    assert await store.checkout_owner(CHECKOUT) == 7


async def test_a_changed_owner_is_written_at_once(counted: tuple[Redis, Redis]) -> None:
    first, second = counted
    store = RedisOwnershipStore(first, SECRET, "store", 600)
    await store.remember_checkout(CHECKOUT, 0)
    await store.remember_checkout(CHECKOUT, 9)  # signIn adopted the guest cart
    assert await writes(first) == 2
    assert await RedisOwnershipStore(second, SECRET, "store", 600).checkout_owner(CHECKOUT) == 9


async def test_a_read_spares_the_write_only_of_an_entry_written_within_a_tenth_of_the_ttl(
    counted: tuple[Redis, Redis],
) -> None:
    first, second = counted
    clock = Clock()
    writer = RedisOwnershipStore(second, SECRET, "store", 600)
    reader = RedisOwnershipStore(first, SECRET, "store", 600, clock=clock)
    await writer.remember_checkout(CHECKOUT, 3)
    (key,) = await all_keys(first)
    assert await reader.checkout_owner(CHECKOUT) == 3  # Redis says: written moments ago
    await reader.remember_checkout(CHECKOUT, 3)
    assert await writes(first) == 1
    await first.pexpire(key, 530_000)  # as if written 70 s ago: 530 s left
    assert await reader.checkout_owner(CHECKOUT) == 3
    await reader.remember_checkout(CHECKOUT, 3)  # kept, it would expire 70 s early: written
    assert await writes(first) == 2
    assert 599 < await first.pttl(key) / 1000 <= 600


async def forget(client: Redis, key: str) -> None:
    await client.delete(key)  # expired early, or evicted


async def overwrite(client: Redis, key: str) -> None:
    await client.set(key, b"not a number")  # not the gateway's


@pytest.mark.parametrize("lose", [forget, overwrite])
async def test_an_entry_redis_no_longer_holds_is_no_entry_and_written_again(
    counted: tuple[Redis, Redis], lose: Callable[[Redis, str], Awaitable[None]]
) -> None:
    first, _ = counted
    store = RedisOwnershipStore(first, SECRET, "store", 600)
    await store.remember_checkout(CHECKOUT, 4)
    (key,) = await all_keys(first)
    await lose(first, key)
    assert await store.checkout_owner(CHECKOUT) is None  # the read finds no owner of ours
    before = await writes(first)
    await store.remember_checkout(CHECKOUT, 4)  # the record was dropped: written again
    assert await writes(first) == before + 1
    assert await store.checkout_owner(CHECKOUT) == 4


async def test_two_replicas_stay_right_when_one_adopts_the_cart(
    counted: tuple[Redis, Redis],
) -> None:
    first, second = counted
    on_first = RedisOwnershipStore(first, SECRET, "store", 600)
    on_second = RedisOwnershipStore(second, SECRET, "store", 600)
    await on_first.remember_checkout(CHECKOUT, 0)  # the guest's checkout, answered on the first
    assert await on_second.checkout_owner(CHECKOUT) == 0
    await on_second.remember_checkout(CHECKOUT, 0)  # the second read it just now: no write
    assert await writes(first) == 1
    await on_second.remember_checkout(CHECKOUT, 5)  # signIn on the second adopts the cart
    assert await writes(first) == 2
    # An answer on the first still naming the guest (sent before the sign-in) is not
    # written: a skip never overwrites the adoption.
    await on_first.remember_checkout(CHECKOUT, 0)
    assert await writes(first) == 2
    assert await on_first.checkout_owner(CHECKOUT) == 5
    assert await on_second.checkout_owner(CHECKOUT) == 5
    # The first read another owner: its record is gone, the next answer is written.
    await on_first.remember_checkout(CHECKOUT, 5)
    assert await writes(first) == 3
    assert await on_second.checkout_owner(CHECKOUT) == 5
