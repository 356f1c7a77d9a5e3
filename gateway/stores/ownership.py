"""Remembered owners of checkouts and orders in this process (no Redis: one replica).

Bounded in count and in age (``domain.ownership`` says why the age): an entry the
store dropped is only one upstream read away.

Every answer that names an owner is remembered again, so an entry lives for the TTL
after the last answer that vouched for it. Rewriting an entry that already holds that
owner only moves its expiry, and the hottest read (a client polling its checkout)
would pay a write each time for a move of a few milliseconds: while the entry is
younger than ``REFRESH_SHARE`` of the TTL it is left as it is. So an entry expires at
most that share of the TTL before the TTL after its last confirming answer, never after
it: no owner is kept longer than an answer vouched for it (the staleness rule). A
changed owner (``signIn`` adopting a guest cart) is always written at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from gateway.stores.expiring_owners import REFRESH_SHARE, ExpiringOwners

MAX_ENTRIES = 100_000


class MemoryOwnershipStore:
    def __init__(
        self, ttl_s: float, maxsize: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s = ttl_s
        self._fresh_s = ttl_s * (1 - REFRESH_SHARE)  # time left above which no rewrite
        self._clock = clock
        self._owners: ExpiringOwners[tuple[str, str]] = ExpiringOwners(maxsize)

    async def checkout_owner(self, checkout_id: str) -> int | None:
        return self._get(("checkout", checkout_id))

    async def order_owner(self, number: int) -> int | None:
        return self._get(("order", str(number)))

    async def remember_checkout(self, checkout_id: str, customer_id: int) -> None:
        self._set(("checkout", checkout_id), customer_id)

    async def remember_order(self, number: int, customer_id: int) -> None:
        self._set(("order", str(number)), customer_id)

    def _get(self, key: tuple[str, str]) -> int | None:
        entry = self._owners.get(key, self._clock())
        return None if entry is None else entry[0]

    def _set(self, key: tuple[str, str], owner: int) -> None:
        now = self._clock()
        entry = self._owners.get(key, now)
        if entry is not None and entry[0] == owner and entry[1] - now > self._fresh_s:
            return  # confirmed again soon after it was written: kept as it is
        self._owners.put(key, owner, now + self._ttl_s, now)
