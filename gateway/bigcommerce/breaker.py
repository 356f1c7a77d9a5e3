"""A circuit breaker per store: stop calling an upstream that keeps failing.

Closed: calls go through; ``threshold`` failures in a row (5xx, HTML pages,
connection errors, timeouts; never a 4xx or a 429) open it. Open: calls fail
at once with UPSTREAM_UNAVAILABLE (nothing sent, so an idempotency key stays
free) until ``cooldown_s`` passed. Half-open: one probe goes through; its
success closes the breaker, its failure opens it again.
"""

from __future__ import annotations

import time
from enum import Enum

from gateway.bigcommerce.errors import UpstreamError, unavailable
from gateway.errors import Effect


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, threshold: int = 5, cooldown_s: float = 10.0) -> None:
        self._threshold = threshold
        self._cooldown_s = cooldown_s
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False
        self.state = BreakerState.CLOSED

    def before_call(self) -> None:
        """Raise UPSTREAM_UNAVAILABLE (not reached) when the call must not go out."""
        if self.state is BreakerState.CLOSED:
            return
        if self.state is BreakerState.OPEN:
            if time.monotonic() - self._opened_at < self._cooldown_s:
                raise self._refusal()
            self.state = BreakerState.HALF_OPEN
            self._probing = False
        if self._probing:
            raise self._refusal()  # one probe at a time while half-open
        self._probing = True

    def on_success(self) -> bool:
        """Record an answer from a healthy upstream; True when this closed the breaker."""
        self._failures = 0
        self._probing = False
        if self.state is BreakerState.CLOSED:
            return False
        self.state = BreakerState.CLOSED
        return True

    def on_failure(self) -> bool:
        """Record an upstream failure; True when this opened the breaker."""
        self._probing = False
        self._failures += 1
        if self.state is BreakerState.HALF_OPEN or (
            self.state is BreakerState.CLOSED and self._failures >= self._threshold
        ):
            was_closed = self.state is BreakerState.CLOSED
            self.state = BreakerState.OPEN
            self._opened_at = time.monotonic()
            return was_closed
        return False

    def on_neutral(self) -> None:
        """The call ended without telling whether the upstream is healthy (e.g. cancelled)."""
        self._probing = False

    def _refusal(self) -> UpstreamError:
        left_s = max(self._cooldown_s - (time.monotonic() - self._opened_at), 0.0)
        return unavailable(Effect.NONE, retry_after_ms=int(left_s * 1000) + 1)
