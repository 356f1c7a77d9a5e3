"""Revocation notices: in process, and between two "replicas" over a real Redis (conftest.py)."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis

from gateway.domain.token_streams import token_ref
from gateway.stores.revocation_notices import (
    AnnouncedRevokedTokens,
    InProcessRevocationNotices,
    RedisRevocationNotices,
)
from gateway.stores.revocations import MemoryRevokedTokens


class Heard:
    """A handler that remembers what it was told, and lets a test wait for it."""

    def __init__(self) -> None:
        self.refs: asyncio.Queue[str] = asyncio.Queue()

    def __call__(self, ref: str) -> None:
        self.refs.put_nowait(ref)

    async def next(self) -> str:
        return await asyncio.wait_for(self.refs.get(), 5)


async def test_in_process_every_handler_hears_even_when_one_fails() -> None:
    notices = InProcessRevocationNotices()

    def failing(_ref: str) -> None:
        raise RuntimeError("a bug in one handler")

    heard = Heard()
    forget_failing = await notices.subscribe(failing)
    forget = await notices.subscribe(heard)
    await notices.publish("ref")
    assert await heard.next() == "ref"
    await forget()
    await forget()  # twice: no harm
    await forget_failing()
    await notices.publish("later")
    assert heard.refs.empty()


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
