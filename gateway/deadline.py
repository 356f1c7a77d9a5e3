"""The per-request deadline: every upstream wait is bounded by what is left of it.

The transport sets it when a GraphQL request arrives; the adapter reads it to
size each call's timeout, so retries and rate-limit waits can never push an
answer past ``GATEWAY_DEADLINE_S``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("gateway_deadline", default=None)


def remaining(default: float = 25.0) -> float:
    """Seconds left before the current request's deadline (``default`` outside a request)."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return deadline - time.monotonic()


@contextmanager
def deadline_in(seconds: float) -> Iterator[float]:
    """Run the block with a deadline ``seconds`` from now (a tighter outer one wins)."""
    new = time.monotonic() + seconds
    outer = _deadline.get()
    if outer is not None:
        new = min(new, outer)
    token = _deadline.set(new)
    try:
        yield new
    finally:
        _deadline.reset(token)
