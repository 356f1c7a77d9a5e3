"""Telling every replica that a shopper token was revoked, so its open subscriptions end.

Why beside the revocation store: the store answers "is this token revoked?" when a
request comes; a subscription asked that once, when it started, so the replicas holding
the token's streams must be told (``TokenStreams.revoked``). In one process the
handlers are called directly; with Redis, this replica's at once and the others' over
pub/sub (one channel per store; ``redis_revocation_notices.py``, imported only with
Redis). A message is the digest of the token id
(``token_ref``), never a token. Pub/sub may lose a message (Redis restarting): such a
stream then ends at the token's expiry, and the token is refused everywhere anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from gateway.domain.ports import RevokedTokens
from gateway.domain.token_streams import token_ref

log = logging.getLogger("gateway.revocations")

Handler = Callable[[str], None]
Unsubscribe = Callable[[], Awaitable[None]]


class RevocationNotices(Protocol):
    async def publish(self, ref: str) -> None: ...

    async def subscribe(self, handler: Handler) -> Unsubscribe: ...


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


class AnnouncedRevokedTokens:
    """A ``RevokedTokens`` store that also tells every replica of each revocation."""

    def __init__(
        self,
        store: RevokedTokens,
        notices: RevocationNotices,
    ) -> None:
        self._store = store
        self._notices = notices

    async def revoke(self, token_id: str, expires_at: float) -> None:
        await self._store.revoke(token_id, expires_at)  # refused everywhere first
        await self._notices.publish(token_ref(token_id))

    async def is_revoked(self, token_id: str) -> bool:
        return await self._store.is_revoked(token_id)
