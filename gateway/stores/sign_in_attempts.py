"""Failed sign-ins per email and per client address, over a sliding window.

Why a sliding log (the times of the last ``limit`` failures) rather than fixed
windows: a fixed window lets an attacker spend two budgets around its edge; the
log answers exactly "``limit`` failures in the last ``window_s``" and, once full,
exactly how long until the oldest one leaves (``retryAfterMs``). Only failures
are recorded and at most ``limit`` times per key are kept, so memory per key is
bounded; keys idle for a window are dropped (``TTLCache``), and the number of
keys is capped so a spray of made-up emails cannot grow the process.

The Redis variant (``redis_sign_in_attempts``) keeps the same log in a sorted set.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from cachetools import TTLCache

MAX_KEYS = 200_000


class SlidingWindowLog:
    """The last ``limit`` event times per key, in one process."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float], max_keys: int = MAX_KEYS
    ) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._times: TTLCache[str, deque[float]] = TTLCache(max_keys, window_s, timer=clock)

    def retry_after_s(self, key: str) -> float:
        times = self._times.get(key)
        if times is None or len(times) < self._limit:
            return 0.0
        return max(0.0, times[0] + self._window_s - self._clock())

    def record(self, key: str) -> None:
        times = self._times.get(key) or deque(maxlen=self._limit)
        times.append(self._clock())
        self._times[key] = times  # re-set: the key lives a full window after its last event

    def clear(self, key: str) -> None:
        self._times.pop(key, None)

    def __len__(self) -> int:
        """Keys held (idle ones dropped first)."""
        self._times.expire()
        return len(self._times)


class MemorySignInAttempts:
    def __init__(
        self,
        max_per_email: int,
        max_per_address: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emails = SlidingWindowLog(max_per_email, window_s, clock)
        self._addresses = SlidingWindowLog(max_per_address, window_s, clock)

    async def retry_after_s(self, email: str, client_address: str) -> float:
        return max(self._emails.retry_after_s(email), self._addresses.retry_after_s(client_address))

    async def record_failure(self, email: str, client_address: str) -> None:
        self._emails.record(email)
        self._addresses.record(client_address)

    async def clear(self, email: str) -> None:
        self._emails.clear(email)
