"""Remembered owners of checkouts and orders in Redis, shared by every replica.

Why shared: ``signIn`` with a ``cartId`` makes a guest cart a customer's, and a guest
on another replica must be refused that cart at once, so every replica reads the one
entry that the sign-in rewrote (no copy of a checkout's owner in process). One key per resource,
``gw:owner:<kind>:<hmac(store, id)>``, holding the customer id and set to expire
after the TTL. A guest checkout's id is all it takes to reach it, so keys are keyed
hashes, never the id itself. Redis unreachable: ``shared_store_unreachable``, which
``domain.ownership`` treats as a miss (a read upstream).

Order owners are also kept in process for a minute: the gateway never changes an
order's owner, so no replica needs to hear of a change, and the cached
``paymentMethods`` (the hottest query) costs no Redis round trip for its reachability.

Every checkout answer names its owner, so every one used to cost a write (a round trip),
on every replica, for a move of the entry's expiry by a few seconds. A write is skipped
when this process knows the entry in Redis holds that owner and was written less than
``REFRESH_SHARE`` of the TTL ago: it wrote it then, or read it since and Redis said how
long it has left. So, as in the memory store, an entry expires at most that share of the
TTL early, never later than the TTL after its last write. That local record is no copy
of an owner: it is never read as an answer, only to leave out a write, and a skipped
write changes nothing in Redis, so it can never overwrite what another replica wrote in
between (a ``signIn`` adopting the cart there): the worst a stale record does is leave
that newer entry as it is, or an entry Redis lost missing (a miss: a read upstream)
until a read finds none or a tenth of the TTL has passed. A changed owner is always
written at once, and a read that shows no entry or another owner drops the record (the
next answer is written); a read refreshes it only when it shows the same owner.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import TTLCache
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.stores.expiring_owners import REFRESH_SHARE, ExpiringOwners
from gateway.stores.hashed_keys import derive_key, hashed
from gateway.stores.unreachable import shared_store_unreachable

PREFIX = "gw:owner:"
LOCAL_ORDERS = 100_000
LOCAL_ORDER_TTL_S = 60.0  # an owner changed outside the gateway: seen here within a minute more
LOCAL_WRITES = 100_000  # entries known freshly written; each kept a tenth of the TTL at most


class RedisOwnershipStore:
    def __init__(
        self,
        redis: Redis,
        secret: bytes,
        store_hash: str,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        # One key per store: two stores behind one Redis never share an entry.
        self._key = derive_key(secret, f"owners|{store_hash}")
        self._ttl_ms = max(int(ttl_s * 1000), 1)
        self._clock = clock
        self._fresh_s = ttl_s * (1 - REFRESH_SHARE)  # time left above which no rewrite
        # Redis key -> (owner, until when a repeat of that owner needs no write).
        self._written: ExpiringOwners[str] = ExpiringOwners(LOCAL_WRITES)
        self._orders: TTLCache[int, int] = TTLCache(
            LOCAL_ORDERS, min(ttl_s, LOCAL_ORDER_TTL_S), timer=clock
        )

    async def checkout_owner(self, checkout_id: str) -> int | None:
        return await self._get(self._name("checkout", checkout_id))

    async def order_owner(self, number: int) -> int | None:
        owner = self._orders.get(number)
        if owner is None:
            owner = await self._get(self._name("order", str(number)))
            if owner is not None:
                self._orders[number] = owner
        return owner

    async def remember_checkout(self, checkout_id: str, customer_id: int) -> None:
        await self._set(self._name("checkout", checkout_id), customer_id)

    async def remember_order(self, number: int, customer_id: int) -> None:
        self._orders[number] = customer_id
        await self._set(self._name("order", str(number)), customer_id)

    def _name(self, kind: str, resource_id: str) -> str:
        return f"{PREFIX}{kind}:{hashed(self._key, resource_id)}"

    async def _get(self, name: str) -> int | None:
        asked = self._clock()
        try:
            # One round trip: the owner, and how long Redis keeps it (to skip a rewrite).
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(name)
                pipe.pttl(name)
                value, left_ms = await pipe.execute()
        except RedisError:
            raise shared_store_unreachable() from None
        owner = _owner(value)
        self._saw(name, owner, asked, left_ms)
        return owner

    async def _set(self, name: str, customer_id: int) -> None:
        now = self._clock()
        known = self._written.get(name, now)
        if known is not None and known[0] == customer_id:
            return  # written moments ago with this owner: the write would only move its expiry
        try:
            await self._redis.set(name, str(customer_id).encode(), px=self._ttl_ms)
        except RedisError:
            self._written.drop(name)  # written or not: unknown
            raise shared_store_unreachable() from None
        # Redis set its expiry after ``now``: the entry lives at least this long.
        self._written.put(name, customer_id, now + self._ttl_ms / 1000 - self._fresh_s, now)

    def _saw(self, name: str, owner: int | None, asked: float, left_ms: object) -> None:
        """What a read tells of the entry: refreshes the record only for the same owner."""
        now = self._clock()
        known = self._written.get(name, now)
        if owner is None or not isinstance(left_ms, int) or left_ms < 0:
            self._written.drop(name)  # no entry (or none of ours): the next answer writes
            return
        if known is not None and known[0] != owner:
            self._written.drop(name)  # another owner since: trust neither, write the next
            return
        # PTTL was measured after ``asked``: the entry lives at least until then.
        until = asked + left_ms / 1000 - self._fresh_s
        if until > now:
            self._written.put(name, owner, until, now)
        else:
            self._written.drop(name)


def _owner(value: object) -> int | None:
    if not isinstance(value, bytes | str):
        return None
    try:
        return int(value)
    except ValueError:  # not ours: no entry, so the owner is read upstream
        return None
