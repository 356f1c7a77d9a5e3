"""A real Redis for tests: ``redis-server`` on a free loopback port, no persistence.

Without the binary the test skips, except under CI=true (``needs``). ``redis_url`` is
module-scoped and offered to every test by tests/conftest.py; a folder that wants one
server for all its modules wraps ``running()`` in its own wider-scoped fixture.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from tests import needs
from tests.live_gateway import free_port


@contextmanager
def running() -> Iterator[str]:
    """Start redis-server, wait until it answers PING, yield its URL, stop it on exit."""
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
        process.wait(10)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running() as url:
        yield url
