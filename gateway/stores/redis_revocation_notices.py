"""Revocation notices over Redis pub/sub: this replica's streams at once, the others' by
message (why: ``revocation_notices.py``). Its own module so that redis-py is imported only
when Redis is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from gateway.stores.revocation_notices import Handler, InProcessRevocationNotices, Unsubscribe

log = logging.getLogger("gateway.revocations")


class RedisRevocationNotices:
    def __init__(self, redis: Redis, store_hash: str, *, retry_s: float = 0.5) -> None:
        self._redis = redis
        self.channel = f"checkout-gateway:{store_hash}:revoked-tokens"
        self._retry_s = retry_s
        self._local = InProcessRevocationNotices()

    async def publish(self, ref: str) -> None:
        await self._local.publish(ref)  # this replica's streams end at once
        try:
            await self._redis.publish(self.channel, ref)
        except (RedisError, OSError):
            log.warning("revocation notice not sent (Redis unreachable): other replicas' "
                        "streams of the token end at its expiry")  # fmt: skip

    async def subscribe(self, handler: Handler) -> Unsubscribe:
        forget_local = await self._local.subscribe(handler)
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel)  # before returning: nothing missed
            subscribed = True
        except (RedisError, OSError):  # Redis down at start: subscribe once it answers
            subscribed = False
        task = asyncio.create_task(self._listen(pubsub, handler, subscribed))

        async def unsubscribe() -> None:
            await forget_local()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            with contextlib.suppress(RedisError, OSError):
                await pubsub.unsubscribe(self.channel)
            await pubsub.aclose()

        return unsubscribe

    async def _listen(self, pubsub: PubSub, handler: Handler, subscribed: bool) -> None:
        while True:
            try:
                if not subscribed:
                    await pubsub.subscribe(self.channel)
                    subscribed = True
                message = await pubsub.get_message(timeout=30.0)
            except (RedisError, OSError):
                log.warning("revocation notices: Redis pub/sub unreachable, retrying")
                await asyncio.sleep(self._retry_s)
                continue
            if message is None or message.get("type") != "message":
                continue
            data = message.get("data")
            ref = data.decode() if isinstance(data, bytes) else data
            if isinstance(ref, str) and len(ref) == 32:  # a token_ref, nothing else
                try:
                    handler(ref)
                except Exception:
                    log.exception("revocation handler failed")
