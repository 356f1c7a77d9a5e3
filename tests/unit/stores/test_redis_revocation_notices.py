"""Revocation notices between two "replicas" over a real Redis (conftest.py)."""

from __future__ import annotations

import time

import pytest
from redis.asyncio import Redis

from gateway.domain.token_streams import token_ref
from gateway.stores.redis_revocation_notices import RedisRevocationNotices
from gateway.stores.revocation_notices import AnnouncedRevokedTokens
from gateway.stores.revocations import MemoryRevokedTokens
from tests.unit.stores.heard import Heard


async def test_a_revocation_is_told_on_this_replica_and_the_other(
    replicas: tuple[Redis, Redis],
) -> None:
    first, second = replicas
    on_a, on_b = RedisRevocationNotices(first, "store"), RedisRevocationNotices(second, "store")
    heard_a, heard_b = Heard(), Heard()
    forget_a = await on_a.subscribe(heard_a)
    forget_b = await on_b.subscribe(heard_b)
    store = AnnouncedRevokedTokens(MemoryRevokedTokens(), on_a)
    await first.publish(on_a.channel, b"not a token ref")  # ignored: never a handler's input
    await store.revoke("the-jti", time.time() + 600)
    assert await store.is_revoked("the-jti") and not await store.is_revoked("another")
    assert await heard_a.next() == token_ref("the-jti")  # at once, locally
    assert await heard_b.next() == token_ref("the-jti")  # over Redis
    assert await heard_a.next() == token_ref("the-jti")  # its own message comes back: harmless
    await forget_a()
    await forget_b()


async def test_redis_unreachable_tells_this_replica_and_stops_nothing(
    dead_redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    notices = RedisRevocationNotices(dead_redis, "store", retry_s=0.01)
    heard = Heard()
    forget = await notices.subscribe(heard)  # Redis down at start: the listener retries
    await notices.publish(token_ref("jti"))
    assert await heard.next() == token_ref("jti")
    assert "revocation notice not sent" in caplog.text
    await forget()
