"""Shared fixtures: one sandbox store per test session, reset before each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from gateway.sandbox import SandboxServer


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    server = await SandboxServer.start(host="127.0.0.1", port=0, payments_port=0)
    yield server
    await server.close()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The session's sandbox with no faults, no recorded requests and no rate limits."""
    sandbox_server.reset()
    return sandbox_server
