"""Revoked shopper tokens in Redis, so a sign-out on one replica holds on all of them.

Why this shape: one key per revoked token, ``gw:revoked:<sha256(jti)>``, set to
expire when the token does (plus the verifier's leeway), so Redis forgets it by
itself exactly when it stops mattering. The key is a hash of the token id, never
the token. A revocation seen once is remembered in this process until expiry (a
revoked token never comes back), so a replayed revoked token costs no round trip;
a live token costs one ``EXISTS``. Redis unreachable: the check fails closed.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.stores.revocations import MemoryRevokedTokens
from gateway.stores.unreachable import shared_store_unreachable

PREFIX = "gw:revoked:"


def revocation_key(token_id: str) -> str:
    return PREFIX + hashlib.sha256(token_id.encode()).hexdigest()[:32]


class RedisRevokedTokens:
    def __init__(
        self, redis: Redis, clock: Callable[[], float] = time.time, margin_s: float = 30.0
    ) -> None:
        self._redis = redis
        self._clock = clock
        self._margin_s = margin_s
        self._seen = MemoryRevokedTokens(clock, margin_s)

    async def revoke(self, token_id: str, expires_at: float) -> None:
        ttl_ms = math.ceil((expires_at + self._margin_s - self._clock()) * 1000)
        if ttl_ms <= 0:
            return
        try:
            await self._redis.set(revocation_key(token_id), b"1", px=ttl_ms)
        except RedisError:
            raise shared_store_unreachable() from None
        await self._seen.revoke(token_id, expires_at)

    async def is_revoked(self, token_id: str) -> bool:
        if await self._seen.is_revoked(token_id):
            return True
        try:
            ttl_ms = await self._redis.pttl(revocation_key(token_id))
        except RedisError:
            raise shared_store_unreachable() from None
        if ttl_ms == -2:  # no such key
            return False
        if ttl_ms < 0:  # a key without expiry (we never write one): revoked, not cached
            return True
        # Remember it locally until Redis would drop it.
        await self._seen.revoke(token_id, self._clock() + ttl_ms / 1000 - self._margin_s)
        return True
