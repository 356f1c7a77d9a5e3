"""Fixtures: the session's secured gateway (client keys, production mode, CORS)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from gateway.bootstrap import create_app
from gateway.sandbox import SandboxServer
from tests.graphql_ops import Operations
from tests.live_gateway import serve, stop
from tests.security.secured import KEYS, ORIGIN, SecuredGateway, production_settings


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def secured_server(sandbox_server: SandboxServer) -> AsyncIterator[SecuredGateway]:
    settings = production_settings(
        sandbox_server, GATEWAY_CLIENT_KEYS=",".join(KEYS), GATEWAY_CORS_ORIGINS=ORIGIN
    )
    server, task, url = await serve(create_app(settings))
    async with aiohttp.ClientSession() as http:
        yield SecuredGateway(url, http, Operations.load())
    await stop(server, task)


@pytest.fixture
def secured(secured_server: SecuredGateway, sandbox: SandboxServer) -> SecuredGateway:
    return secured_server
