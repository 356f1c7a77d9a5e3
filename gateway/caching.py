"""A TTL cache for coroutines with single-flight loading.

cachetools has no asyncio support, so a ``TTLCache`` holds the values and a
dict holds one in-flight Task per key: concurrent misses for a key share one
load; a caller that goes away does not cancel it for the others (the Task is
shielded); failures are shared with the waiters but never cached.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class AsyncTTLCache(Generic[K, V]):
    def __init__(self, maxsize: int, ttl: float) -> None:
        self._values: TTLCache[K, V] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._inflight: dict[K, asyncio.Task[V]] = {}
        self.hits = 0
        self.misses = 0

    async def get_or_load(self, key: K, load: Callable[[], Awaitable[V]]) -> tuple[V, bool]:
        """The value for ``key`` and whether it came from the cache."""
        try:
            value = self._values[key]
        except KeyError:
            pass
        else:
            self.hits += 1
            return value, True
        task = self._inflight.get(key)
        if task is None:
            self.misses += 1
            task = asyncio.ensure_future(load())
            self._inflight[key] = task
            task.add_done_callback(lambda done, k=key: self._settle(k, done))  # type: ignore[misc]
        return await asyncio.shield(task), False

    def _settle(self, key: K, task: asyncio.Task[V]) -> None:
        if self._inflight.get(key) is not task:
            return  # invalidated while loading: the value may be stale, so it is not kept
        del self._inflight[key]
        if not task.cancelled() and task.exception() is None:
            self._values[key] = task.result()

    def invalidate(self, key: K) -> None:
        self._values.pop(key, None)
        # A load still in flight would store a stale value: let it finish uncached.
        self._inflight.pop(key, None)

    def __len__(self) -> int:
        return len(self._values)
