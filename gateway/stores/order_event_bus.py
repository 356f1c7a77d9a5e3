"""Order status events between replicas: in process here, over Redis pub/sub in
``redis_order_event_bus`` (imported only when Redis is configured: redis-py and what it
pulls in cost a serve process ~7 MB).

Why: a webhook reaches one replica, a shopper's subscription may be held by another.
The feed that read the order publishes its snapshot; each replica's feed receives it
and tells its own subscribers (judging it against what it already told them). Pub/sub
is enough: a replica that misses a message (Redis restarting) only delays its
subscribers until the next hint, and a new subscription always starts from a read.
A message holds the order number, status and customer id, never a token or card data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from gateway.domain.order_events import OrderStatusSnapshot

log = logging.getLogger("gateway.order_events")

Handler = Callable[[str, OrderStatusSnapshot], None]


class InProcessOrderEventBus:
    """One process: ``publish`` calls the handlers directly."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    async def publish(self, origin: str, snapshot: OrderStatusSnapshot) -> None:
        for handler in list(self._handlers):
            call_handler(handler, origin, snapshot)

    async def subscribe(self, handler: Handler) -> Callable[[], Awaitable[None]]:
        self._handlers.append(handler)

        async def unsubscribe() -> None:
            if handler in self._handlers:
                self._handlers.remove(handler)

        return unsubscribe


def call_handler(handler: Handler, origin: str, snapshot: OrderStatusSnapshot) -> None:
    try:
        handler(origin, snapshot)
    except Exception:  # one failing handler must not stop the others
        log.exception("order event handler failed")
