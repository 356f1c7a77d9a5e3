"""In-process stores: one replica's idempotency records and payment-method cache.

The defaults when no shared store (Redis) is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from cachetools import TTLCache

from gateway.caching import AsyncTTLCache
from gateway.domain.models import PaymentMethod
from gateway.domain.ports import Busy, Lease, Loader, Stored


class MemoryIdempotencyBackend:
    """In one process: a TTL map of records and one Future per key in flight."""

    def __init__(self, maxsize: int = 100_000, ttl_s: float = 24 * 3600.0) -> None:
        self._records: TTLCache[str, Stored] = TTLCache(maxsize=maxsize, ttl=ttl_s)
        self._inflight: dict[str, tuple[str, asyncio.Future[None]]] = {}
        self._next = 0

    async def claim(self, key: str, fingerprint: str, ttl_s: float) -> Stored | Busy | Lease:
        stored = self._records.get(key)
        if stored is not None:
            return stored
        running = self._inflight.get(key)
        if running is not None:
            return Busy(running[0])
        self._next += 1
        self._inflight[key] = (fingerprint, asyncio.get_running_loop().create_future())
        return Lease(key, str(self._next))

    async def wait(self, key: str, timeout_s: float) -> None:
        running = self._inflight.get(key)
        if running is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(running[1]), timeout_s)

    async def finish(
        self, lease: Lease, fingerprint: str, record: dict[str, Any], ttl_s: float
    ) -> None:
        self._records[lease.key] = Stored(fingerprint, record)
        self._release(lease.key)

    async def abandon(self, lease: Lease) -> None:
        self._release(lease.key)

    def _release(self, key: str) -> None:
        running = self._inflight.pop(key, None)
        if running is not None and not running[1].done():
            running[1].set_result(None)


class MemoryPaymentMethodsCache:
    """Keyed by store and order; single-flight; failures are not cached."""

    def __init__(self, ttl_s: float, maxsize: int = 10_000) -> None:
        self.cache: AsyncTTLCache[tuple[str, int], list[PaymentMethod]] = AsyncTTLCache(
            maxsize, ttl_s
        )

    async def get(
        self, store: str, order_number: int, load: Loader
    ) -> tuple[list[PaymentMethod], bool]:
        return await self.cache.get_or_load((store, order_number), load)

    async def drop(self, store: str, order_number: int) -> None:
        self.cache.invalidate((store, order_number))
