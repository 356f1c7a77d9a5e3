"""Failed sign-ins counted in Redis, so every replica shares one budget per email and address.

Why a Lua script and not the ``limits`` package: ``limits`` has async Redis and
moving windows, but asking "may this email and this address try?" and "how long
until they may?" is a test plus a window-stats read per key there, four round
trips per sign-in; one script answers for both keys in one round trip, on the
gateway's own Redis client (its pool, timeouts and error handling).

Each key is a sorted set of the last ``limit`` failure times (ms). Keys are
``gw:signin:email:<hmac>`` and ``gw:signin:addr:<hmac>``: keyed hashes (see
``hashed_keys``), so Redis never holds an email or an address. Times come from
the replica's clock (replicas run NTP; a few ms of skew are nothing against a
window of minutes). Redis unreachable: fail closed (``UPSTREAM_UNAVAILABLE``),
so an outage never means unlimited password guesses.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.stores.hashed_keys import derive_key, hashed
from gateway.stores.unreachable import shared_store_unreachable

EMAIL_PREFIX = "gw:signin:email:"
ADDRESS_PREFIX = "gw:signin:addr:"

# KEYS: email, address. ARGV: now ms, window ms, email limit, address limit.
# Returns the wait in ms before either key allows another try (0: try now).
_WAIT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local wait = 0
for i = 1, 2 do
  local limit = tonumber(ARGV[2 + i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
    local left = tonumber(oldest[2]) + window - now
    if left > wait then wait = left end
  end
end
return wait
"""

# KEYS: email, address. ARGV: now ms, window ms, email limit, address limit, unique member.
# Keeps only the newest `limit` times per key, and the key lives one window after the last.
_RECORD = """
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], ARGV[1], ARGV[5])
  redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(tonumber(ARGV[2 + i]) + 1))
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
return 0
"""


class RedisSignInAttempts:
    def __init__(
        self,
        redis: Redis,
        secret: bytes,
        max_per_email: int,
        max_per_address: int,
        window_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._key = derive_key(secret, "sign-in-attempts")
        self._limits = (max_per_email, max_per_address)
        self._window_ms = math.ceil(window_s * 1000)
        self._clock = clock
        self._wait = redis.register_script(_WAIT)
        self._record = redis.register_script(_RECORD)

    def keys(self, email: str, client_address: str) -> list[str]:
        return [
            EMAIL_PREFIX + hashed(self._key, email),
            ADDRESS_PREFIX + hashed(self._key, client_address),
        ]

    async def retry_after_s(self, email: str, client_address: str) -> float:
        args = [self._now_ms(), self._window_ms, *self._limits]
        try:
            wait_ms = await self._wait(keys=self.keys(email, client_address), args=args)
        except RedisError:
            raise shared_store_unreachable() from None
        return max(0, int(wait_ms)) / 1000

    async def record_failure(self, email: str, client_address: str) -> None:
        member = f"{self._now_ms()}:{secrets.token_hex(6)}"
        args: list[int | str] = [self._now_ms(), self._window_ms, *self._limits, member]
        try:
            await self._record(keys=self.keys(email, client_address), args=args)
        except RedisError:
            raise shared_store_unreachable() from None

    async def clear(self, email: str) -> None:
        try:
            await self._redis.delete(EMAIL_PREFIX + hashed(self._key, email))
        except RedisError:
            raise shared_store_unreachable() from None

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)
