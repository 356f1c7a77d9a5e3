"""The per-client request limit (``GATEWAY_CLIENT_RATE_LIMIT``) shared by every replica, in Redis.

GCRA (the generic cell rate algorithm, as in ATM networks and redis-cell): one
key per client holds the "theoretical arrival time" of its next request; a
request is allowed when that time is less than a window ahead of now, and moves
it on by window/limit. It allows ``limit`` requests in any ``window`` (a burst
of ``limit`` at once, then one per window/limit), answers exactly how long to
wait, and costs one small key per client, where a sliding log holds up to
``limit`` entries per client. One Lua script: check and count in one atomic
round trip, on the gateway's own Redis client.

Why not the ``limits`` package: its async Redis storage opens its own connection
pool from a URL (not this client, its timeouts and its error handling), and its
moving window keeps a list of up to ``limit`` timestamps per client; this is a
dozen lines of Lua. Keys are ``gw:ratelimit:client:<hmac>`` (``hashed_keys``):
a client key is a secret and an address personal data, neither is in Redis.
Redis unreachable: ``None``, and the caller judges with its own per-replica limit
(a limit is a protection, not a correctness rule: it fails open to one replica's).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.stores.hashed_keys import derive_key, hashed

PREFIX = "gw:ratelimit:client:"
ASK_TIMEOUT_S = 0.25  # a limit check must not cost a request more than this
RETRY_AFTER_S = 5.0  # after Redis failed, the replica's own limit judges this long
log = logging.getLogger("gateway.ratelimit")

# KEYS: the client's key. ARGV: now (µs), interval (µs per request, fractional), window (µs).
# Returns 0 when the request is allowed (and counted), else the wait in µs.
_ACQUIRE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval
local allowed_at = next_tat - window
-- (under a microsecond early is on time: the interval is fractional, times are rounded)
if allowed_at - now >= 1 then return math.ceil(allowed_at - now) end
local ttl_ms = math.ceil((next_tat - now) / 1000)
redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', ttl_ms)
return 0
"""


class RedisClientRateLimit:
    def __init__(
        self,
        redis: Redis,
        secret: bytes,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = derive_key(secret, "client-rate-limit")
        self._window_us = max(1, round(window_s * 1_000_000))
        self._interval_us = self._window_us / limit  # exact: a float, kept to 1 ns in Redis
        self._clock = clock
        self._acquire = redis.register_script(_ACQUIRE)
        self._down_until = float("-inf")  # after a failure, Redis is not asked for a while

    def key(self, client: str) -> str:
        return PREFIX + hashed(self._key, client)

    async def wait_for(self, client: str) -> float | None:
        """0 when the request may go; else seconds to wait; None when Redis did not answer."""
        if time.monotonic() < self._down_until:
            return None
        now_us = int(self._clock() * 1_000_000)
        args = [now_us, self._interval_us, self._window_us]
        try:
            async with asyncio.timeout(ASK_TIMEOUT_S):
                wait_us = await self._acquire(keys=[self.key(client)], args=args)
        except (RedisError, OSError, TimeoutError) as exc:
            # Every request must not wait for a dead Redis: judge locally for a while.
            self._down_until = time.monotonic() + RETRY_AFTER_S
            log.warning(
                "client rate limit judged per replica for %gs: Redis: %s",
                RETRY_AFTER_S,
                type(exc).__name__,
            )
            return None
        return max(0, int(wait_us)) / 1_000_000
