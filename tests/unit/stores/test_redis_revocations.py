"""Revocations in a real Redis, shared by two "replicas" (Redis: see conftest.py)."""

from __future__ import annotations

import time

import pytest
from redis.asyncio import Redis

from gateway.errors import ErrorCode, GatewayError
from gateway.stores.redis_revocations import PREFIX, RedisRevokedTokens, revocation_key
from gateway.tokens.own_tokens import OwnTokens
from gateway.tokens.service import ShopperTokenService
from tests.unit.stores.redis_support import SECRET, all_keys


async def test_a_revocation_on_one_replica_holds_on_the_other(
    replicas: tuple[Redis, Redis],
) -> None:
    first, second = replicas
    on_first, on_second = RedisRevokedTokens(first), RedisRevokedTokens(second)
    expires_at = time.time() + 600
    await on_first.revoke("the-jti", expires_at)
    assert await on_second.is_revoked("the-jti")
    assert not await on_second.is_revoked("another-jti")
    # One key: a hash of the token id, expiring with the token (plus the leeway margin).
    assert await all_keys(first) == [revocation_key("the-jti")]
    assert "the-jti" not in revocation_key("the-jti")
    assert revocation_key("the-jti").startswith(PREFIX)
    ttl_s = await first.pttl(revocation_key("the-jti")) / 1000
    assert 600 < ttl_s <= 630


async def test_a_revoked_token_is_refused_by_every_replica(replicas: tuple[Redis, Redis]) -> None:
    first, second = replicas
    own = OwnTokens(SECRET, "store", 1, 3600)
    replica_a = ShopperTokenService(own, RedisRevokedTokens(first))
    replica_b = ShopperTokenService(OwnTokens(SECRET, "store", 1, 3600), RedisRevokedTokens(second))
    issued = replica_a.issue(1)
    assert (await replica_b.verify(issued.token)).customer_id == 1
    await replica_a.revoke(issued.identity)
    with pytest.raises(GatewayError) as caught:
        await replica_b.verify(issued.token)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
    keys = await all_keys(first)
    assert all(issued.token not in key and issued.identity.token_id not in key for key in keys)


async def test_an_expired_token_needs_no_revocation(replicas: tuple[Redis, Redis]) -> None:
    first, _ = replicas
    await RedisRevokedTokens(first).revoke("old", time.time() - 60)
    assert await all_keys(first) == []


async def test_unreachable_redis_fails_closed(dead_redis: Redis) -> None:
    for attempt in (
        RedisRevokedTokens(dead_redis).is_revoked("jti"),
        RedisRevokedTokens(dead_redis).revoke("jti", time.time() + 60),
    ):
        with pytest.raises(GatewayError) as caught:
            await attempt
        assert caught.value.code is ErrorCode.UPSTREAM_UNAVAILABLE
