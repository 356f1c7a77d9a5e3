"""A real Redis for the store tests: ``redis-server`` on a free loopback port, no persistence.

Started once for the folder; without it the Redis tests skip, except under CI=true (``needs``).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
import redis
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from tests import needs
from tests.live_gateway import free_port


@pytest.fixture(scope="package")
def redis_url() -> Iterator[str]:
    binary = needs.redis_server()
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        probe = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2)
        for _ in range(250):
            try:
                if probe.ping():
                    break
            except redis.RedisError:
                time.sleep(0.02)
        probe.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(5)


@pytest_asyncio.fixture
async def replicas(redis_url: str) -> AsyncIterator[tuple[Redis, Redis]]:
    """Two clients, as two gateway processes would have, on a flushed Redis."""
    first, second = Redis.from_url(redis_url), Redis.from_url(redis_url)
    await first.flushdb()
    yield first, second
    await first.aclose()
    await second.aclose()


@pytest_asyncio.fixture
async def dead_redis() -> AsyncIterator[Redis]:
    """A client of a port nobody listens on. No retries: the refusal is under test, not backoff."""
    dead = Redis(
        host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    yield dead
    await dead.aclose()
