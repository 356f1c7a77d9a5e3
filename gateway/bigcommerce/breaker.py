"""A circuit breaker per store: stop calling an upstream that is down, not one that blipped.

It judges logical requests: one request with all its retries is one outcome.

Closed: requests go through. It opens when, over the sliding window, at least
``min_calls`` requests were judged and the share that failed reaches
``failure_rate`` (so two failures on a quiet store never open it), or when
``hard_down_failures`` requests in a row could not connect at all (refused
connections: the upstream is down whatever the volume).
Open: requests are refused at once with UPSTREAM_UNAVAILABLE and ``retryAfterMs``
(nothing is sent, so an idempotency key stays free) until ``cooldown_s`` passed.
Half-open: ``half_open_probes`` requests go through as probes, others are
refused; one failed probe opens it again, that many successes close it, and a
probe that ends without a verdict (cancelled) frees its place. A request
admitted before a change of state is not judged after it: its news is old.

The model follows resilience4j's and Polly's advanced breakers; the code is ours.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from gateway.bigcommerce.errors import UpstreamError, unavailable
from gateway.errors import Effect
from gateway.settings import BreakerSettings

HALF_OPEN_RETRY_MS = 1000  # the hint given while the probes are out (at most the cool-down)
WINDOW_SLICES = 10  # the window moves by a tenth of its span: bounded memory at any traffic


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Outcome(Enum):
    """What one logical request told about the upstream."""

    SUCCESS = "success"  # an answer, refusals (4xx) included: the upstream works
    FAILURE = "failure"  # 5xx, unreadable answers, timeouts, lost connections
    HARD_DOWN = "hard_down"  # could not connect at all (connection refused)
    NEUTRAL = "neutral"  # says nothing either way (cancelled, rate limited)


@dataclass(frozen=True, slots=True)
class Admission:
    """A request let through; its outcome is recorded against it."""

    generation: int  # the breaker's state change it was admitted under
    probe: bool


class OutcomeWindow:
    """Requests and failures of about the last ``span_s`` seconds, in fixed slices."""

    def __init__(self, span_s: float) -> None:
        self._slice_s = span_s / WINDOW_SLICES
        self._slices: deque[list[int]] = deque()  # [slice index, requests, failures]

    def add(self, now: float, failed: bool) -> None:
        index = int(now // self._slice_s)
        slices = self._slices
        if slices and slices[-1][0] == index:
            # The current slice: nothing expired since it was opened (by this same index).
            last = slices[-1]
            last[1] += 1
            last[2] += failed
            return
        self._expire(now)
        slices.append([index, 1, int(failed)])

    def counts(self, now: float) -> tuple[int, int]:
        """(requests, failures) inside the window."""
        self._expire(now)
        return sum(s[1] for s in self._slices), sum(s[2] for s in self._slices)

    def clear(self) -> None:
        self._slices.clear()

    def _expire(self, now: float) -> int:
        index = int(now // self._slice_s)
        while self._slices and self._slices[0][0] <= index - WINDOW_SLICES:
            self._slices.popleft()
        return index


class CircuitBreaker:
    def __init__(
        self,
        settings: BreakerSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings or BreakerSettings()
        self._clock = clock
        self._window = OutcomeWindow(self._settings.window_s)
        self._state = BreakerState.CLOSED
        self._generation = 0
        self._opened_at = 0.0
        self._cannot_connect_in_row = 0
        self._probes_out = 0
        self._probes_passed = 0
        # Immutable: while closed, every request is admitted with this one.
        self._closed_admission = Admission(self._generation, probe=False)

    @property
    def state(self) -> BreakerState:
        if (
            self._state is BreakerState.OPEN
            and self._clock() - self._opened_at >= self._settings.cooldown_s
        ):
            self._enter(BreakerState.HALF_OPEN)
        return self._state

    def admit(self) -> Admission:
        """Let a request through, or raise UPSTREAM_UNAVAILABLE (nothing sent) with the wait."""
        state = self.state
        if state is BreakerState.CLOSED:
            return self._closed_admission
        if (
            state is BreakerState.HALF_OPEN
            and self._probes_out + self._probes_passed < self._settings.half_open_probes
        ):
            self._probes_out += 1
            return Admission(self._generation, probe=True)
        raise refusal(self.retry_after_ms())

    def retry_after_ms(self) -> int:
        """How long a refused client should wait: until half-open, or a short while."""
        state = self.state
        if state is BreakerState.CLOSED:
            return 0
        if state is BreakerState.HALF_OPEN:
            return min(HALF_OPEN_RETRY_MS, math.ceil(self._settings.cooldown_s * 1000))
        left_s = self._opened_at + self._settings.cooldown_s - self._clock()
        return max(math.ceil(left_s * 1000), 1)

    def record(self, admission: Admission, outcome: Outcome) -> bool:
        """Judge one finished request; True when this opened or closed the breaker."""
        if admission.generation != self._generation:
            return False  # admitted before the last change of state: old news
        if admission.probe:
            return self._record_probe(outcome)
        if outcome is Outcome.NEUTRAL:
            return False
        now = self._clock()
        failed = outcome is not Outcome.SUCCESS
        self._window.add(now, failed)
        hard_down = outcome is Outcome.HARD_DOWN
        self._cannot_connect_in_row = self._cannot_connect_in_row + 1 if hard_down else 0
        if failed and (
            self._cannot_connect_in_row >= self._settings.hard_down_failures
            or self._rate_reached(now)
        ):
            self._enter(BreakerState.OPEN)
            return True
        return False

    def _rate_reached(self, now: float) -> bool:
        requests, failures = self._window.counts(now)
        return (
            requests >= self._settings.min_calls
            and failures >= self._settings.failure_rate * requests
        )

    def _record_probe(self, outcome: Outcome) -> bool:
        self._probes_out -= 1
        if outcome is Outcome.NEUTRAL:
            return False  # its place goes to the next request
        if outcome is not Outcome.SUCCESS:
            self._enter(BreakerState.OPEN)
            return True
        self._probes_passed += 1
        if self._probes_passed >= self._settings.half_open_probes:
            self._enter(BreakerState.CLOSED)
            return True
        return False

    def _enter(self, state: BreakerState) -> None:
        self._state = state
        self._generation += 1
        self._closed_admission = Admission(self._generation, probe=False)
        self._probes_out = self._probes_passed = 0
        if state is BreakerState.OPEN:
            self._opened_at = self._clock()
        elif state is BreakerState.CLOSED:
            self._window.clear()
            self._cannot_connect_in_row = 0


def refusal(retry_after_ms: int) -> UpstreamError:
    """An open breaker's answer: nothing reached BigCommerce, so a key stays free."""
    return unavailable(Effect.NONE, retry_after_ms=retry_after_ms)
