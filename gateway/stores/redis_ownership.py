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
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import TTLCache
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.stores.hashed_keys import derive_key, hashed
from gateway.stores.unreachable import shared_store_unreachable

PREFIX = "gw:owner:"
LOCAL_ORDERS = 100_000
LOCAL_ORDER_TTL_S = 60.0  # an owner changed outside the gateway: seen here within a minute more


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
        try:
            value = await self._redis.get(name)
        except RedisError:
            raise shared_store_unreachable() from None
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:  # not ours: no entry, so the owner is read upstream
            return None

    async def _set(self, name: str, customer_id: int) -> None:
        try:
            await self._redis.set(name, str(customer_id).encode(), px=self._ttl_ms)
        except RedisError:
            raise shared_store_unreachable() from None
