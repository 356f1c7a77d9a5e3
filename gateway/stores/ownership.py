"""Remembered owners of checkouts and orders in this process (no Redis: one replica).

Bounded in count and in age (``domain.ownership`` says why the age): an entry the
cache dropped is only one upstream read away.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import TTLCache

MAX_ENTRIES = 100_000


class MemoryOwnershipStore:
    def __init__(
        self, ttl_s: float, maxsize: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._owners: TTLCache[tuple[str, str], int] = TTLCache(maxsize, ttl_s, timer=clock)

    async def checkout_owner(self, checkout_id: str) -> int | None:
        return self._owners.get(("checkout", checkout_id))

    async def order_owner(self, number: int) -> int | None:
        return self._owners.get(("order", str(number)))

    async def remember_checkout(self, checkout_id: str, customer_id: int) -> None:
        self._owners[("checkout", checkout_id)] = customer_id

    async def remember_order(self, number: int, customer_id: int) -> None:
        self._owners[("order", str(number))] = customer_id
