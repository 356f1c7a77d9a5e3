"""Accepted payment methods per order, cached.

Keyed by store and order; single-flight (one upstream call for many concurrent
misses); failures are not cached; the entry is dropped once the order is paid,
since a paid order's methods and stored instruments may change.
"""

from __future__ import annotations

from gateway.caching import AsyncTTLCache
from gateway.domain.models import PaymentMethod
from gateway.domain.ports import Loader


class MemoryPaymentMethodsCache:
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
