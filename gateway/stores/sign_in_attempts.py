"""Sign-in attempts per email and per client address, over a sliding window.

Why a sliding log (the times of the last ``limit`` attempts) rather than fixed
windows: a fixed window lets an attacker spend two budgets around its edge; the
log answers exactly "``limit`` failures in the last ``window_s``" and, once full,
exactly how long until the oldest one leaves (``retryAfterMs``).

Why count at the start: ``begin`` checks and records in one step, and a success
(or BigCommerce not answering) ``release``s the attempt afterwards; checking
first and recording only after the answer would let a burst of parallel guesses
all pass the check. At most ``limit`` entries per key are kept, keys idle for a
window are dropped (``TTLCache``), and the number of keys is capped so a spray
of made-up emails cannot grow the process.

The Redis variant (``redis_sign_in_attempts``) keeps the same log in sorted sets.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable

from cachetools import TTLCache

from gateway.domain.ports import SignInAttempt

MAX_KEYS = 200_000


class SlidingWindowLog:
    """The last ``limit`` events per key (time and id), in one process."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float], max_keys: int = MAX_KEYS
    ) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._events: TTLCache[str, deque[tuple[float, str]]] = TTLCache(
            max_keys, window_s, timer=clock
        )

    def retry_after_s(self, key: str) -> float:
        events = self._events.get(key)
        if events is None:
            return 0.0
        now = self._clock()
        while events and events[0][0] <= now - self._window_s:
            events.popleft()
        if len(events) < self._limit:
            return 0.0
        return events[0][0] + self._window_s - now

    def record(self, key: str, event_id: str) -> None:
        events = self._events.get(key) or deque(maxlen=self._limit)
        events.append((self._clock(), event_id))
        self._events[key] = events  # re-set: the key lives a full window after its last event

    def remove(self, key: str, event_id: str) -> None:
        events = self._events.get(key)
        if events is not None:
            for event in events:
                if event[1] == event_id:
                    events.remove(event)
                    break

    def clear(self, key: str) -> None:
        self._events.pop(key, None)

    def __len__(self) -> int:
        """Keys held (idle ones dropped first)."""
        self._events.expire()
        return len(self._events)


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

    async def begin(self, email: str, client_address: str) -> SignInAttempt:
        # No await between the check and the record: atomic within the event loop.
        wait_s = max(
            self._emails.retry_after_s(email), self._addresses.retry_after_s(client_address)
        )
        attempt = SignInAttempt(email, client_address, secrets.token_hex(8), wait_s)
        if wait_s <= 0:
            self._emails.record(email, attempt.attempt_id)
            self._addresses.record(client_address, attempt.attempt_id)
        return attempt

    async def release(self, attempt: SignInAttempt) -> None:
        self._emails.remove(attempt.email, attempt.attempt_id)
        self._addresses.remove(attempt.client_address, attempt.attempt_id)

    async def clear(self, email: str) -> None:
        self._emails.clear(email)
