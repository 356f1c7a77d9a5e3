"""Sign-in attempts counted in Redis, so every replica shares one budget per email and address.

Why a Lua script and not the ``limits`` package: ``limits`` has async Redis and
moving windows, but it checks and counts one key at a time (a test, a hit and a
window-stats read per key), so "may this email and this address try, and if so
count it" would be several round trips and not atomic across the two keys; a
burst of parallel guesses could pass between them. One script checks both keys
and records the attempt in both, atomically, in one round trip, on the gateway's
own Redis client (its pool, timeouts and error handling).

Each key is a sorted set of the last ``limit`` attempts (score: time in ms,
member: the attempt's id). Keys are ``gw:signin:email:<hmac>`` and
``gw:signin:addr:<hmac>``: keyed hashes (see ``hashed_keys``), so Redis never
holds an email or an address. Times come from the replica's clock (replicas run
NTP; a few ms of skew are nothing against a window of minutes). Redis
unreachable: fail closed (``UPSTREAM_UNAVAILABLE``), so an outage never means
unlimited password guesses.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.domain.ports import SignInAttempt
from gateway.stores.hashed_keys import derive_key, hashed
from gateway.stores.unreachable import shared_store_unreachable

EMAIL_PREFIX = "gw:signin:email:"
ADDRESS_PREFIX = "gw:signin:addr:"

# KEYS: email, address. ARGV: now ms, window ms, email limit, address limit, attempt id.
# Returns the wait in ms when either key is at its limit (nothing recorded), else 0
# after recording the attempt in both (only the newest `limit` kept; a key lives one
# window after its last attempt).
_BEGIN = """
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
if wait > 0 then return wait end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[5])
  redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(tonumber(ARGV[2 + i]) + 1))
  redis.call('PEXPIRE', KEYS[i], window)
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
        self._begin = redis.register_script(_BEGIN)

    def keys(self, email: str, client_address: str) -> list[str]:
        return [
            EMAIL_PREFIX + hashed(self._key, email),
            ADDRESS_PREFIX + hashed(self._key, client_address),
        ]

    async def begin(self, email: str, client_address: str) -> SignInAttempt:
        attempt_id = secrets.token_hex(8)
        now_ms = int(self._clock() * 1000)
        args: list[int | str] = [now_ms, self._window_ms, *self._limits, attempt_id]
        try:
            wait_ms = await self._begin(keys=self.keys(email, client_address), args=args)
        except RedisError:
            raise shared_store_unreachable() from None
        return SignInAttempt(email, client_address, attempt_id, max(0, int(wait_ms)) / 1000)

    async def release(self, attempt: SignInAttempt) -> None:
        email_key, address_key = self.keys(attempt.email, attempt.client_address)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zrem(email_key, attempt.attempt_id)
                pipe.zrem(address_key, attempt.attempt_id)
                await pipe.execute()
        except RedisError:
            raise shared_store_unreachable() from None

    async def clear(self, email: str) -> None:
        try:
            await self._redis.delete(EMAIL_PREFIX + hashed(self._key, email))
        except RedisError:
            raise shared_store_unreachable() from None
