"""Order status events between replicas over Redis pub/sub (see ``order_event_bus``).

Why: a webhook reaches one replica, a shopper's subscription may be held by another.
A module of its own so that a process without Redis never imports redis-py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import orjson
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from gateway.domain.order_events import OrderStatusSnapshot
from gateway.stores.order_event_bus import Handler, call_handler

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

    async def subscribe(self, handler: Handler) -> Callable[[], Awaitable[None]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel)  # subscribed before returning: nothing missed
            subscribed = True
        except (RedisError, OSError):
            # Redis down at start must not stop the gateway (readyz says not ready): the
            # listener subscribes once Redis answers; until then this replica hears only itself.
            log.warning("order events: Redis unreachable, subscribing in the background")
            subscribed = False
        task = asyncio.create_task(self._listen(pubsub, handler, subscribed))

        async def unsubscribe() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            with contextlib.suppress(RedisError, OSError):
                await pubsub.unsubscribe(self.channel)
            await pubsub.aclose()

        return unsubscribe

    async def _listen(self, pubsub: PubSub, handler: Handler, subscribed: bool = True) -> None:
        while not subscribed:
            await asyncio.sleep(self._retry_s)
            try:
                await pubsub.subscribe(self.channel)
                subscribed = True
            except (RedisError, OSError):
                continue
        while True:
            try:
                message = await pubsub.get_message(timeout=30.0)
            except (RedisError, OSError):
                # redis-py reconnects and subscribes again on the next read.
                log.warning("order events: Redis pub/sub unreachable, retrying")
                await asyncio.sleep(self._retry_s)
                continue
            if message is None or message.get("type") != "message":
                continue
            decoded = _decode(message.get("data"))
            if decoded is not None:
                call_handler(handler, *decoded)


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
