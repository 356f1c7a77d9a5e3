"""The per-client request limit in a real Redis, shared by two "replicas", on an injected clock.

Redis is the folder's real ``redis-server`` (conftest.py). Without it these tests skip,
except under CI=true (``needs``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from gateway.stores.redis_client_rate_limit import PREFIX, RedisClientRateLimit
from tests.live_gateway import free_port

SECRET = b"replicas-share-this-secret-0123456789"
CLIENT_KEY = "client-key-that-is-a-secret-000000"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_two_replicas_share_one_budget_per_client(replicas: tuple[Redis, Redis]) -> None:
    clock = Clock()
    a, b = (RedisClientRateLimit(c, SECRET, 4, 60, clock) for c in replicas)
    # A burst of 4 in the window, whichever replica serves it; the 5th waits on either.
    assert [await r.wait_for(CLIENT_KEY) for r in (a, b, a, b)] == [0, 0, 0, 0]
    assert await a.wait_for(CLIENT_KEY) == pytest.approx(15.0)
    assert await b.wait_for(CLIENT_KEY) == pytest.approx(15.0)
    assert await a.wait_for("another client") == 0  # budgets are per client
    clock.now += 10
    assert await b.wait_for(CLIENT_KEY) == pytest.approx(5.0)
    clock.now += 5  # one request's share of the window has passed: one more may go
    assert await b.wait_for(CLIENT_KEY) == 0
    assert await a.wait_for(CLIENT_KEY) == pytest.approx(15.0)
    # Neither the client key nor the address is in Redis; keys expire once idle.
    keys = [k.decode() async for k in replicas[0].scan_iter("*")]
    assert len(keys) == 2 and all(k.startswith(PREFIX) for k in keys)
    assert not any(CLIENT_KEY in k or "another" in k for k in keys)
    assert 0 < await replicas[0].pttl(a.key(CLIENT_KEY)) <= 75_000


async def test_a_limit_that_does_not_divide_the_window_allows_exactly_the_limit(
    replicas: tuple[Redis, Redis],
) -> None:
    clock = Clock()
    limit = RedisClientRateLimit(replicas[0], SECRET, 7, 1, clock)
    answers = [await limit.wait_for("c") for _ in range(8)]
    last = answers[7]
    assert answers[:7] == [0] * 7 and last is not None and last > 0


async def test_unreachable_redis_leaves_the_judgement_to_the_replica() -> None:
    dead = Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))
    try:
        limit = RedisClientRateLimit(dead, SECRET, 1, 60)
        script = limit._acquire
        asked: list[object] = []

        async def counted(**kwargs: Any) -> Any:
            asked.append(kwargs)
            return await script(**kwargs)

        limit._acquire = counted  # type: ignore[assignment]
        assert await limit.wait_for(CLIENT_KEY) is None
        assert await limit.wait_for(CLIENT_KEY) is None
        assert len(asked) == 1  # after a failure, Redis is left alone for a while
    finally:
        await dead.aclose()


async def test_a_redis_slower_than_the_check_allows_is_not_waited_for(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gateway.stores.redis_client_rate_limit as module

    monkeypatch.setattr(module, "ASK_TIMEOUT_S", 0.05)
    client = Redis.from_url(redis_url)
    blocker = Redis.from_url(redis_url)
    try:
        limit = RedisClientRateLimit(client, SECRET, 1, 60)
        # A busy Redis: a script runs 1 s on another connection, this check gives up.
        busy = asyncio.ensure_future(
            blocker.eval(
                # A full second, in microseconds (whole seconds made it anywhere from 0 to 1 s).
                "local function now() local t = redis.call('TIME') "
                "return tonumber(t[1]) * 1000000 + tonumber(t[2]) end "
                "local stop = now() + 1000000 "
                "while now() < stop do end",
                0,
            )
        )
        await asyncio.sleep(0.05)
        assert await limit.wait_for(CLIENT_KEY) is None
        await busy
    finally:
        await client.aclose()
        await blocker.aclose()
