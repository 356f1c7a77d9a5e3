"""The per-client request limit (``GATEWAY_CLIENT_RATE_LIMIT``), one for every way a client asks.

Why a module of its own: queries, mutations and multipart subscriptions are HTTP requests
and pass ``GraphQLGuard``; a WebSocket's client key arrives in ``connection_init``, after
the guard, so its connection and each ``subscribe`` are counted here instead, against
the same window of the same client (its key, else its address). With Redis the count is
shared by the replicas (``SharedRateLimit``); when Redis does not answer, this
replica's own window judges.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from starlette.types import Scope

MESSAGE = "Too many requests from this client; retry later."
CODE = "RATE_LIMITED"


class FixedWindowLimiter:
    """At most ``limit`` requests per ``window_s`` for each client; memory bounded."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_clients = max_clients
        self._windows: dict[str, tuple[float, int]] = {}

    def acquire(self, client: str) -> float:
        """0 when the request may go; else the seconds until the client's window ends."""
        now = self._clock()
        start, count = self._windows.get(client, (now, 0))
        if now - start >= self.window_s:
            start, count = now, 0
        if count >= self.limit:
            return start + self.window_s - now
        if client not in self._windows and len(self._windows) >= self._max_clients:
            self._forget_expired(now)
        self._windows[client] = (start, count + 1)
        return 0.0

    def _forget_expired(self, now: float) -> None:
        for client, (start, _count) in list(self._windows.items()):
            if now - start >= self.window_s:
                del self._windows[client]
        if len(self._windows) >= self._max_clients:
            self._windows.clear()  # a flood of distinct clients: start every window afresh


class SharedRateLimit(Protocol):
    """The per-client limit shared by replicas (``gateway.stores.redis_client_rate_limit``)."""

    async def wait_for(self, client: str) -> float | None:
        """0: go; > 0: seconds to wait; None: not known (the replica's own limit judges)."""


class ClientRateLimit:
    def __init__(
        self,
        limit: int,
        window_s: float,
        shared: Callable[[], SharedRateLimit | None] = lambda: None,
    ) -> None:
        self.local = FixedWindowLimiter(limit, window_s)
        self.shared = shared  # once the services are open, with Redis configured

    async def retry_after_s(self, client: str) -> int:
        """0 when the client may go on (and it is counted); else whole seconds to wait."""
        shared = self.shared()
        wait_s = await shared.wait_for(client) if shared is not None else None
        if wait_s is None:
            wait_s = self.local.acquire(client)
        return max(1, math.ceil(wait_s)) if wait_s > 0 else 0


def client_identity(client_key: str | None, scope: Scope) -> str:
    """Whom a request counts against: its client key, else its peer address."""
    if client_key:
        return client_key
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def rate_limited_error(retry_after_s: int) -> dict[str, Any]:
    """The GraphQL error of a refused request (the body of HTTP's 429 holds the same)."""
    return {"message": MESSAGE, "extensions": {"code": CODE, "retryAfterMs": retry_after_s * 1000}}
