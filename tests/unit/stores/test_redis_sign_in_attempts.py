"""Sign-in failure logs in a real Redis, shared by two "replicas" (Redis: see conftest.py)."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from gateway.domain.identity import Shopper, SignIn
from gateway.domain.models import StoredInstrument
from gateway.domain.ownership import OWNERSHIP_TTL_S, Owners
from gateway.errors import ErrorCode, GatewayError
from gateway.stores.ownership import MemoryOwnershipStore
from gateway.stores.redis_sign_in_attempts import RedisSignInAttempts
from gateway.stores.revocations import MemoryRevokedTokens
from gateway.tokens.own_tokens import OwnTokens
from gateway.tokens.service import ShopperTokenService
from tests.unit.stores.redis_support import ADDRESS, EMAIL, SECRET, Clock, all_keys


async def test_unreachable_redis_fails_closed(dead_redis: Redis) -> None:
    for attempt in (
        RedisSignInAttempts(dead_redis, SECRET, 5, 50, 60).begin(EMAIL, ADDRESS),
        RedisSignInAttempts(dead_redis, SECRET, 5, 50, 60).clear(EMAIL),
    ):
        with pytest.raises(GatewayError) as caught:
            await attempt
        assert caught.value.code is ErrorCode.UPSTREAM_UNAVAILABLE


async def test_attempts_counted_on_two_replicas_share_one_budget(
    replicas: tuple[Redis, Redis],
) -> None:
    first, second = replicas
    clock = Clock()
    on_first = RedisSignInAttempts(first, SECRET, 5, 50, 900, clock)
    on_second = RedisSignInAttempts(second, SECRET, 5, 50, 900, clock)
    started = clock.now
    for number in range(5):
        replica = on_first if number % 2 else on_second
        assert (await replica.begin(EMAIL, ADDRESS)).retry_after_s == 0
        clock.now += 10
    # Both replicas refuse now, until the first attempt is a window old.
    for replica in (on_first, on_second):
        refused = await replica.begin(EMAIL, ADDRESS)
        assert refused.retry_after_s == pytest.approx(started + 900 - clock.now, abs=0.01)
    # Another email from another address is not limited.
    assert (await on_first.begin("john@example.com", "198.51.100.1")).retry_after_s == 0
    clock.now = started + 900.01
    assert (await on_second.begin(EMAIL, ADDRESS)).retry_after_s == 0


async def test_a_released_attempt_no_longer_counts(replicas: tuple[Redis, Redis]) -> None:
    first, second = replicas
    on_first = RedisSignInAttempts(first, SECRET, 2, 50, 900)
    on_second = RedisSignInAttempts(second, SECRET, 2, 50, 900)
    await on_first.begin(EMAIL, ADDRESS)
    pending = await on_first.begin(EMAIL, ADDRESS)
    assert (await on_second.begin(EMAIL, ADDRESS)).retry_after_s > 0
    await on_second.release(pending)
    assert (await on_second.begin(EMAIL, ADDRESS)).retry_after_s == 0


async def test_a_burst_of_parallel_attempts_is_cut_at_the_limit(
    replicas: tuple[Redis, Redis],
) -> None:
    first, second = replicas
    on_first = RedisSignInAttempts(first, SECRET, 5, 50, 900)
    on_second = RedisSignInAttempts(second, SECRET, 5, 50, 900)
    begun = await asyncio.gather(
        *((on_first if n % 2 else on_second).begin(EMAIL, f"10.0.0.{n}") for n in range(30))
    )
    assert sum(1 for attempt in begun if attempt.retry_after_s == 0) == 5


async def test_no_email_or_address_appears_in_redis(replicas: tuple[Redis, Redis]) -> None:
    first, _ = replicas
    attempts = RedisSignInAttempts(first, SECRET, 5, 50, 900)
    await attempts.begin(EMAIL, ADDRESS)
    keys = await all_keys(first)
    assert len(keys) == 2
    for key in keys:
        assert "jane" not in key and "example" not in key and ADDRESS not in key
        members = await first.zrange(key, 0, -1)
        assert all(b"jane" not in m and ADDRESS.encode() not in m for m in members)
    # Another secret gives other keys: they cannot be matched against a list of emails.
    other = RedisSignInAttempts(first, b"another-secret-0123456789", 5, 50, 900)
    assert set(other.keys(EMAIL, ADDRESS)).isdisjoint(keys)


async def test_each_key_keeps_at_most_its_limit_and_expires(
    replicas: tuple[Redis, Redis],
) -> None:
    first, _ = replicas
    attempts = RedisSignInAttempts(first, SECRET, 3, 4, 60)
    for number in range(10):
        await attempts.begin(f"{number}-{EMAIL}", ADDRESS)
        await attempts.begin(EMAIL, f"{number}-{ADDRESS}")
    email_key, address_key = attempts.keys(EMAIL, ADDRESS)
    assert await first.zcard(email_key) == 3
    assert await first.zcard(address_key) == 4
    assert 0 < await first.pttl(email_key) <= 60_000
    await attempts.clear(EMAIL)
    assert await first.exists(email_key) == 0
    assert await first.exists(address_key) == 1


class Accounts:
    """BigCommerce's side of sign-in (the ``CustomerAccounts`` port), counting checks."""

    def __init__(self) -> None:
        self.checks = 0

    async def validate_credentials(self, email: str, password: str, channel_id: int) -> int | None:
        self.checks += 1
        return 1 if (email, password) == (EMAIL, "sandbox-password") else None

    async def get_customer(self, customer_id: int) -> Shopper | None:
        return Shopper(1, EMAIL, "Jane", "Doe") if customer_id == 1 else None

    async def stored_instruments(self, customer_id: int) -> list[StoredInstrument]:
        return []

    async def cart_customer_id(self, cart_id: str) -> int | None:
        return None

    async def assign_cart(self, cart_id: str, customer_id: int) -> None:
        raise AssertionError("no cart in this test")


async def test_the_sixth_failure_across_two_replicas_never_reaches_bigcommerce(
    replicas: tuple[Redis, Redis],
) -> None:
    accounts = Accounts()

    def replica(client: Redis) -> SignIn:
        tokens = ShopperTokenService(OwnTokens(SECRET, "store", 1, 3600), MemoryRevokedTokens())
        attempts = RedisSignInAttempts(client, SECRET, 5, 50, 900)
        owners = Owners(MemoryOwnershipStore(OWNERSHIP_TTL_S))
        return SignIn(accounts, tokens, attempts, channel_id=1, min_duration_s=0, owners=owners)

    one, two = (replica(client) for client in replicas)
    for number in range(5):
        with pytest.raises(GatewayError) as caught:
            await (one if number % 2 else two)(EMAIL, f"guess-{number}", ADDRESS)
        assert caught.value.code is ErrorCode.INVALID_CREDENTIALS
    for sign_in in (one, two):
        with pytest.raises(GatewayError) as caught:
            await sign_in(EMAIL, "sandbox-password", ADDRESS)
        assert caught.value.code is ErrorCode.RATE_LIMITED
        assert 0 < caught.value.extensions["retryAfterMs"] <= 900_000
    assert accounts.checks == 5
