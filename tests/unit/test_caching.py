"""The single-flight TTL cache: one load per key, shared failures, cancelled callers."""

from __future__ import annotations

import asyncio

import pytest

from gateway.caching import AsyncTTLCache


async def test_concurrent_misses_share_one_load_and_a_cancelled_caller_does_not_cancel_it():
    cache: AsyncTTLCache[str, int] = AsyncTTLCache(10, 60)
    loads = 0
    release = asyncio.Event()

    async def load() -> int:
        nonlocal loads
        loads += 1
        await release.wait()
        return 7

    first = asyncio.create_task(cache.get_or_load("k", load))
    others = [asyncio.create_task(cache.get_or_load("k", load)) for _ in range(10)]
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    results = await asyncio.gather(*others)
    assert [value for value, _ in results] == [7] * 10 and loads == 1
    assert await cache.get_or_load("k", load) == (7, True)


async def test_failures_are_shared_but_not_cached() -> None:
    cache: AsyncTTLCache[str, int] = AsyncTTLCache(10, 60)
    calls = 0

    async def failing() -> int:
        nonlocal calls
        calls += 1
        raise RuntimeError("upstream down")

    with pytest.raises(RuntimeError):
        await cache.get_or_load("k", failing)

    async def ok() -> int:
        return 1

    assert await cache.get_or_load("k", ok) == (1, False)
    assert calls == 1


async def test_invalidate_during_load_keeps_the_stale_value_out() -> None:
    cache: AsyncTTLCache[str, int] = AsyncTTLCache(10, 60)
    release = asyncio.Event()

    async def slow() -> int:
        await release.wait()
        return 1

    task = asyncio.create_task(cache.get_or_load("k", slow))
    await asyncio.sleep(0)
    cache.invalidate("k")
    release.set()
    await task
    assert len(cache) == 0
