"""Idempotency records in Redis, so every replica behind a load balancer sees the same keys.

``<key>:rec`` holds the finished record (the input's HMAC fingerprint and the
result; never card data). ``<key>:lock`` is the lease of the replica running
the operation: ``SET NX PX`` with an expiry, so a replica that dies mid-call
frees the key; its value is the lease token and the fingerprint (for
``IDEMPOTENCY_KEY_REUSED`` while busy). Waiters poll until the lock is gone.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.domain.ports import Busy, Lease, Stored
from gateway.errors import ErrorCode, GatewayError

POLL_S = 0.05
log = logging.getLogger("gateway.stores")


def unreachable() -> GatewayError:
    """Refused before anything reached BigCommerce: the key stays free for a retry."""
    return GatewayError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        "The gateway's shared store is not reachable; retry shortly.",
    )


# Delete the lock only if this lease still holds it (it may have expired and been re-taken).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisIdempotencyBackend:
    def __init__(self, redis: Redis, lock_ttl_s: float) -> None:
        self._redis = redis
        self._lock_ttl_ms = int(lock_ttl_s * 1000)
        self._release = redis.register_script(_RELEASE)

    async def claim(self, key: str, fingerprint: str, ttl_s: float) -> Stored | Busy | Lease:
        try:
            return await self._claim(key, fingerprint)
        except RedisError:
            raise unreachable() from None

    async def _claim(self, key: str, fingerprint: str) -> Stored | Busy | Lease:
        while True:
            raw = await self._redis.get(f"{key}:rec")
            if raw is not None:
                data = orjson.loads(raw)
                return Stored(data["fingerprint"], data["record"])
            token = secrets.token_hex(16)
            value = orjson.dumps([token, fingerprint])
            if await self._redis.set(f"{key}:lock", value, nx=True, px=self._lock_ttl_ms):
                # The holder may have finished between our GET and SET: look again.
                if await self._redis.exists(f"{key}:rec"):
                    await self._release(keys=[f"{key}:lock"], args=[value])
                    continue
                return Lease(key, value.decode())
            held = await self._redis.get(f"{key}:lock")
            if held is not None:
                return Busy(orjson.loads(held)[1])
            # Released between SET and GET: try again.

    async def wait(self, key: str, timeout_s: float) -> None:
        until = time.monotonic() + timeout_s
        while time.monotonic() < until:
            try:
                if not await self._redis.exists(f"{key}:lock"):
                    return
            except RedisError:
                raise unreachable() from None
            await asyncio.sleep(min(POLL_S, max(until - time.monotonic(), 0)))

    async def finish(
        self, lease: Lease, fingerprint: str, record: dict[str, Any], ttl_s: float
    ) -> None:
        stored = orjson.dumps({"fingerprint": fingerprint, "record": record})
        try:
            await self._redis.set(f"{lease.key}:rec", stored, px=int(ttl_s * 1000))
            await self._release(keys=[f"{lease.key}:lock"], args=[lease.token])
        except RedisError:
            # The answer still goes to the client; the lock expires, so a retry with this key
            # finds no record and runs again (the order lock and BigCommerce's "not payable"
            # check keep that from charging twice).
            log.warning("idempotency store unreachable: the record was not kept")

    async def abandon(self, lease: Lease) -> None:
        try:
            await self._release(keys=[f"{lease.key}:lock"], args=[lease.token])
        except RedisError:
            log.warning("idempotency store unreachable: the key is freed when its lock expires")
