"""Order status events between replicas over Redis pub/sub (see ``order_event_bus``).

Why: a webhook reaches one replica, a shopper's subscription may be held by another.
A module of its own so that a process without Redis never imports redis-py.
"""

from __future__ import annotations

import logging

import orjson
from redis.asyncio import Redis

from gateway.domain.order_events import OrderStatusSnapshot
from gateway.stores.order_event_bus import Handler, call_handler
from gateway.stores.redis_channel import Unsubscribe, listen

log = logging.getLogger("gateway.order_events")


class RedisOrderEventBus:
    """Redis pub/sub on one channel per store; a lost connection is retried with backoff."""

    def __init__(self, redis: Redis, store_hash: str, *, retry_s: float = 0.5) -> None:
        self._redis = redis
        self.channel = f"checkout-gateway:{store_hash}:order-status"
        self._retry_s = retry_s

    async def publish(self, origin: str, snapshot: OrderStatusSnapshot) -> None:
        message = orjson.dumps({"origin": origin, "snapshot": snapshot.to_message()})
        await self._redis.publish(self.channel, message)

    async def subscribe(self, handler: Handler) -> Unsubscribe:
        # Until Redis answers, this replica hears only itself (readyz says not ready).
        def on_data(data: object) -> None:
            decoded = _decode(data)
            if decoded is not None:
                call_handler(handler, *decoded)

        return await listen(self._redis, self.channel, on_data, log=log, retry_s=self._retry_s)


def _decode(data: object) -> tuple[str, OrderStatusSnapshot] | None:
    try:
        body = orjson.loads(data) if isinstance(data, bytes | str) else None
        if not isinstance(body, dict):
            raise ValueError("not an object")
        origin, snapshot = body.get("origin"), body.get("snapshot")
        if not isinstance(origin, str) or not isinstance(snapshot, dict):
            raise ValueError("no origin or snapshot")
        return origin, OrderStatusSnapshot.from_message(snapshot)
    except ValueError:  # orjson.JSONDecodeError is a ValueError
        log.warning("order events: malformed message ignored")
        return None
