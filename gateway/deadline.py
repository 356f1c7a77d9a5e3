"""The per-request deadline: every upstream wait is bounded by what is left of it.

The transport sets it when a GraphQL request arrives; the adapter reads it to
size each call's timeout, so retries and rate-limit waits can never push an
answer past ``GATEWAY_DEADLINE_S``.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("gateway_deadline", default=None)


def remaining(default: float = 25.0) -> float:
    """Seconds left before the current request's deadline (``default`` outside a request)."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return deadline - time.monotonic()


def deadline_in(seconds: float) -> _Deadline:
    """Run the block with a deadline ``seconds`` from now (a tighter outer one wins)."""
    return _Deadline(seconds)


class _Deadline:
    """The ``with`` block of ``deadline_in`` (a class: every request enters one, and a
    generator-based context manager costs several times as much)."""

    __slots__ = ("_seconds", "_token")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def __enter__(self) -> float:
        new = time.monotonic() + self._seconds
        outer = _deadline.get()
        if outer is not None:
            new = min(new, outer)
        self._token = _deadline.set(new)
        return new

    def __exit__(self, *_exc: object) -> None:
        _deadline.reset(self._token)


def outliving(seconds: float) -> _Outliving:
    """Run the block with a deadline ``seconds`` from now, even past the request's own.

    For work that must not be cut at the request's deadline: a payment already sent
    runs to its own hard timeout (the client was answered; the outcome is still recorded).
    """
    return _Outliving(seconds)


class _Outliving:
    __slots__ = ("_seconds", "_token")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def __enter__(self) -> float:
        new = time.monotonic() + self._seconds
        self._token = _deadline.set(new)
        return new

    def __exit__(self, *_exc: object) -> None:
        _deadline.reset(self._token)
