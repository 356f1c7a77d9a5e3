"""Revocation notices over Redis pub/sub: this replica's streams at once, the others' by
message (why: ``revocation_notices.py``). Its own module so that redis-py is imported only
when Redis is configured."""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.stores.redis_channel import listen
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

        def on_data(data: object) -> None:
            ref = data.decode() if isinstance(data, bytes) else data
            if isinstance(ref, str) and len(ref) == 32:  # a token_ref, nothing else
                try:
                    handler(ref)
                except Exception:
                    log.exception("revocation handler failed")

        forget_remote = await listen(
            self._redis, self.channel, on_data, log=log, retry_s=self._retry_s
        )

        async def unsubscribe() -> None:
            await forget_local()
            await forget_remote()

        return unsubscribe
