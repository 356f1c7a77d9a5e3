"""BigCommerce's per-store request quota, learnt from its ``X-Rate-Limit-*`` headers.

Each host (management API, payments API) has its own window. Every answer says
how many requests are left and when the window resets; while the quota is known
to be spent no request is sent: the caller waits for the reset when it fits in
the request's deadline, else gets RATE_LIMITED with the wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from gateway import deadline
from gateway.bigcommerce.errors import UpstreamError
from gateway.bigcommerce.observer import UpstreamObserver
from gateway.errors import Effect, ErrorCode

MARGIN_S = 0.05  # left for the call itself after a wait


def rate_limited(wait_s: float) -> UpstreamError:
    return UpstreamError(
        ErrorCode.RATE_LIMITED,
        status=429,
        effect=Effect.NONE,
        retry_after_ms=max(int(wait_s * 1000), 1),
    )


async def wait_or_refuse(
    wait_s: float, endpoint: str, observer: UpstreamObserver, deadline_s: float
) -> None:
    """Sleep ``wait_s`` if the deadline leaves room for it and a call after, else RATE_LIMITED."""
    if wait_s + MARGIN_S >= deadline.remaining(deadline_s):
        raise rate_limited(wait_s)
    observer.rate_limit_waited(endpoint, wait_s)
    await asyncio.sleep(wait_s)


class QuotaWindow:
    """What the last answer from one host said about its window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._left: int | None = None
        self._reset_at = 0.0

    def observe(self, headers: Mapping[str, str]) -> None:
        left = _int(headers.get("X-Rate-Limit-Requests-Left"))
        reset_ms = _int(headers.get("X-Rate-Limit-Time-Reset-Ms"))
        if left is None or reset_ms is None:
            return
        self._left = left
        self._reset_at = self._clock() + reset_ms / 1000

    def wait_s(self) -> float:
        """Seconds until a request may be sent (0: now); counts the request as sent."""
        now = self._clock()
        if self._left is None or now >= self._reset_at:
            self._left = None  # a new window: unknown until the next answer
            return 0.0
        if self._left <= 0:
            return self._reset_at - now
        self._left -= 1  # reserve one, so concurrent callers do not overrun the window
        return 0.0


class RateLimits:
    """One ``QuotaWindow`` per upstream host of the store."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, QuotaWindow] = {}

    def window(self, host: str) -> QuotaWindow:
        window = self._windows.get(host)
        if window is None:
            window = self._windows[host] = QuotaWindow(self._clock)
        return window

    async def admit(
        self, host: str, endpoint: str, observer: UpstreamObserver, deadline_s: float
    ) -> None:
        """Return when a request to ``host`` may go out; RATE_LIMITED if not within the deadline."""
        window = self.window(host)
        while (wait := window.wait_s()) > 0:
            await wait_or_refuse(wait, endpoint, observer, deadline_s)


def _int(value: str | None) -> int | None:
    """A header's whole number: as BigCommerce sends it (digits), else as a number of any
    spelling float() reads ("29759.0"), cut to a whole one; None for anything else."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return int(float(value))
    except (ValueError, OverflowError):
        return None
