"""A real Redis for the store tests: ``redis-server`` on a free loopback port, no persistence.

Started once for the folder; without it the Redis tests skip, except under CI=true (``needs``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from tests import redis_server
from tests.live_gateway import free_port


@pytest.fixture(scope="package")
def redis_url() -> Iterator[str]:
    """One server for the whole folder (the shared one is per module)."""
    with redis_server.running() as url:
        yield url


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
