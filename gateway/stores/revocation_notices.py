"""Telling every replica that a shopper token was revoked, so its open subscriptions end.

Why beside the revocation store: the store answers "is this token revoked?" when a
request comes; a subscription asked that once, when it started, so the replicas holding
the token's streams must be told (``TokenStreams.revoked``). In one process the
handlers are called directly; with Redis, this replica's at once and the others' over
pub/sub (one channel per store). A message is the digest of the token id
(``token_ref``), never a token. Pub/sub may lose a message (Redis restarting): such a
stream then ends at the token's expiry, and the token is refused everywhere anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from gateway.domain.ports import RevokedTokens
from gateway.domain.token_streams import token_ref

log = logging.getLogger("gateway.revocations")

Handler = Callable[[str], None]
Unsubscribe = Callable[[], Awaitable[None]]


class InProcessRevocationNotices:
    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    async def publish(self, ref: str) -> None:
        for handler in list(self._handlers):
            try:
                handler(ref)
            except Exception:  # one failing handler must not stop the others
                log.exception("revocation handler failed")

    async def subscribe(self, handler: Handler) -> Unsubscribe:
        self._handlers.append(handler)

        async def unsubscribe() -> None:
            if handler in self._handlers:
                self._handlers.remove(handler)

        return unsubscribe


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


class AnnouncedRevokedTokens:
    """A ``RevokedTokens`` store that also tells every replica of each revocation."""

    def __init__(
        self,
        store: RevokedTokens,
        notices: InProcessRevocationNotices | RedisRevocationNotices,
    ) -> None:
        self._store = store
        self._notices = notices

    async def revoke(self, token_id: str, expires_at: float) -> None:
        await self._store.revoke(token_id, expires_at)  # refused everywhere first
        await self._notices.publish(token_ref(token_id))

    async def is_revoked(self, token_id: str) -> bool:
        return await self._store.is_revoked(token_id)
