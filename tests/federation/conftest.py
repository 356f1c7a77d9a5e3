"""Our gateway as a live subgraph: uvicorn on 127.0.0.1 over the session's sandbox store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from gateway.sandbox import SandboxServer
from gateway.transport.app import create_app

from graphql_ops import Operations
from live_gateway import LiveGateway, gateway_settings, serve, stop


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def subgraph_server(sandbox_server: SandboxServer) -> AsyncIterator[LiveGateway]:
    app = create_app(gateway_settings(sandbox_server))
    server, task, url = await serve(app)
    async with aiohttp.ClientSession() as http:
        yield LiveGateway(url, http, sandbox_server, Operations.load(), app)
    await stop(server, task)


@pytest.fixture
def subgraph(subgraph_server: LiveGateway, sandbox: SandboxServer) -> LiveGateway:
    """The checkout subgraph, its sandbox reset (no faults, empty request record)."""
    return subgraph_server
