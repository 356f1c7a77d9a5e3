"""BigCommerce-style fixed-window rate limiting and its X-Rate-Limit-* headers.

Disabled by default so tests and benchmarks never trip it; the headers are sent anyway
(with a nominal quota far beyond any test's traffic).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

NOMINAL_QUOTA = 1_000_000
NOMINAL_WINDOW_MS = 30_000
# What BigCommerce documents, for tests that want the real limits.
STORE_QUOTA = 150, 30_000  # Standard/Plus plan: 150 requests per 30 s
PAYMENTS_QUOTA = 50, 4_000  # 50 payment requests per 4 s


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str]
    reset_ms: int


class RateLimiter:
    def __init__(self) -> None:
        self.quota: int | None = None
        self.window_ms = NOMINAL_WINDOW_MS
        self._window_start = time.monotonic()
        self._used = 0

    def configure(self, quota: int | None, window_ms: int = NOMINAL_WINDOW_MS) -> None:
        """``quota=None`` disables enforcement. Resets the current window."""
        if quota is not None and quota < 0:
            raise ValueError("quota must be >= 0")
        self.quota = quota
        self.window_ms = window_ms
        self._window_start = time.monotonic()
        self._used = 0

    def check(self) -> Decision:
        now = time.monotonic()
        elapsed_ms = (now - self._window_start) * 1000
        if elapsed_ms >= self.window_ms:
            self._window_start = now
            self._used = 0
            elapsed_ms = 0
        reset_ms = max(int(self.window_ms - elapsed_ms), 1)
        quota = self.quota if self.quota is not None else NOMINAL_QUOTA
        allowed = self._used < quota
        if allowed:
            self._used += 1
        headers = {
            "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Requests-Quota": str(quota),
            "X-Rate-Limit-Requests-Left": str(max(quota - self._used, 0)),
        }
        if self.quota is None:
            allowed = True
        return Decision(allowed=allowed, headers=headers, reset_ms=reset_ms)
