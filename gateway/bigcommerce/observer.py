"""What the adapter reports about its upstream calls (metrics and traces listen here).

The transport calls these hooks; ``NullObserver`` is the default. Labels are
endpoint names (``get_checkout``), never concrete paths or ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class UpstreamObserver(Protocol):
    def attempt(
        self, endpoint: str, method: str, headers: Mapping[str, str]
    ) -> AbstractContextManager[Mapping[str, str]]:
        """Wraps one attempt (its trace span); yields the headers to send (with ``traceparent``)."""

    def connection_opened(self) -> None:
        """A new TCP connection to BigCommerce (pooled ones are reused)."""

    def call_finished(self, endpoint: str, status: str, seconds: float) -> None:
        """One attempt ended: ``status`` is the HTTP status, or ``error`` / ``timeout``."""

    def retried(self, endpoint: str, reason: str) -> None: ...

    def rate_limit_waited(self, endpoint: str, seconds: float) -> None: ...

    def breaker_changed(self, store: str, is_open: bool) -> None: ...


class NullObserver:
    def attempt(
        self, endpoint: str, method: str, headers: Mapping[str, str]
    ) -> AbstractContextManager[Mapping[str, str]]:
        return nullcontext(headers)

    def connection_opened(self) -> None:
        pass

    def call_finished(self, endpoint: str, status: str, seconds: float) -> None:
        pass

    def retried(self, endpoint: str, reason: str) -> None:
        pass

    def rate_limit_waited(self, endpoint: str, seconds: float) -> None:
        pass

    def breaker_changed(self, store: str, is_open: bool) -> None:
        pass
