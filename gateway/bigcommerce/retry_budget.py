"""A retry budget: retries may add at most a fixed share of load on top of first attempts.

Token bucket: every first attempt deposits ``ratio`` tokens, every retry spends
one. During an outage the bucket empties and failures are answered at once
instead of tripling the traffic on a store that is already struggling. A
small floor (``min_per_s``) keeps occasional retries possible when traffic is
light.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RetryBudget:
    def __init__(
        self,
        ratio: float = 0.2,
        min_per_s: float = 2.0,
        cap: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ratio = ratio
        self._min_per_s = min_per_s
        self._cap = cap
        self._clock = clock
        self._tokens = cap
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._cap, self._tokens + (now - self._last) * self._min_per_s)
        self._last = now

    def on_request(self) -> None:
        """A first attempt went out: it earns a share of a retry."""
        # _refill and the share at once (every upstream call passes here): capped once,
        # which is the same as capping twice, all terms being positive.
        now = self._clock()
        tokens = self._tokens + (now - self._last) * self._min_per_s + self._ratio
        self._tokens = tokens if tokens < self._cap else self._cap
        self._last = now

    def try_spend(self) -> bool:
        """Take one retry from the budget; False when it is spent."""
        self._refill()
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
