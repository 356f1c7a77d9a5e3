"""Fixtures of the sandbox tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from gateway.sandbox import SandboxServer
from tests.sandbox.sandbox_client import ADDRESS, Client


@pytest_asyncio.fixture(loop_scope="session")
async def client(sandbox: SandboxServer) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(session, sandbox)


@pytest.fixture
def address() -> dict[str, Any]:
    return dict(ADDRESS)
