"""Idempotency records in Redis, so every replica behind a load balancer sees the same keys.

``<key>:rec`` holds the finished record (the input's HMAC fingerprint and the
result; never card data). ``<key>:lock`` is the lease of the replica running
the operation: ``SET NX PX`` with an expiry, so a replica that dies mid-call
frees the key; its value is the lease token and the fingerprint (for
``IDEMPOTENCY_KEY_REUSED`` while busy). Waiters poll until the lock is gone.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import orjson
from redis.asyncio import Redis

from gateway.domain.idempotency import Busy, Lease, Stored

POLL_S = 0.05

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
            if not await self._redis.exists(f"{key}:lock"):
                return
            await asyncio.sleep(min(POLL_S, max(until - time.monotonic(), 0)))

    async def finish(
        self, lease: Lease, fingerprint: str, record: dict[str, Any], ttl_s: float
    ) -> None:
        stored = orjson.dumps({"fingerprint": fingerprint, "record": record})
        await self._redis.set(f"{lease.key}:rec", stored, px=int(ttl_s * 1000))
        await self._release(keys=[f"{lease.key}:lock"], args=[lease.token])

    async def abandon(self, lease: Lease) -> None:
        await self._release(keys=[f"{lease.key}:lock"], args=[lease.token])
