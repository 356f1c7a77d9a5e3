"""Listening on one Redis pub/sub channel, for the replicas' buses (order events,
revocation notices).

Subscribed before returning when Redis answers, so nothing published after is missed;
Redis down at start must not stop the gateway, so the listener then subscribes in the
background once it answers. A lost connection is retried (redis-py reconnects and
subscribes again on the next read).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

Unsubscribe = Callable[[], Awaitable[None]]


async def listen(
    redis: Redis,
    channel: str,
    on_data: Callable[[object], None],
    *,
    log: logging.Logger,
    retry_s: float,
) -> Unsubscribe:
    """Hand each message's data on ``channel`` to ``on_data`` until unsubscribed."""
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(channel)
        subscribed = True
    except (RedisError, OSError):
        log.warning("Redis unreachable, subscribing to %s in the background", channel)
        subscribed = False
    task = asyncio.create_task(_listen(pubsub, channel, on_data, log, retry_s, subscribed))

    async def unsubscribe() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(RedisError, OSError):
            await pubsub.unsubscribe(channel)
        await pubsub.aclose()

    return unsubscribe


async def _listen(
    pubsub: PubSub,
    channel: str,
    on_data: Callable[[object], None],
    log: logging.Logger,
    retry_s: float,
    subscribed: bool,
) -> None:
    while True:
        try:
            if not subscribed:
                await pubsub.subscribe(channel)
                subscribed = True
            message = await pubsub.get_message(timeout=30.0)
        except (RedisError, OSError):
            log.warning("Redis pub/sub on %s unreachable, retrying", channel)
            await asyncio.sleep(retry_s)
            continue
        if message is not None and message.get("type") == "message":
            on_data(message.get("data"))
