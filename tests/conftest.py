"""Shared fixtures: one sandbox store per test session, reset before each test.

And the run's order: tests marked ``audit`` (tests/audit) run after all the others.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import pytest_asyncio

from gateway.bootstrap import create_app
from gateway.observability.logs import JsonFormatter
from gateway.sandbox import SandboxServer
from tests.artifacts import artifact_path, clear_artifacts
from tests.graphql_ops import Operations
from tests.live_gateway import LiveGateway, gateway_settings, serve, stop
from tests.redis_server import redis_url  # noqa: F401  (a fixture: one redis-server per module)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Audits read what every other test wrote: move them to the end, keeping their order.

    trylast: after any plugin that reorders, so nothing moves a test behind an audit.
    """
    audits = [item for item in items if item.get_closest_marker("audit") is not None]
    if audits:
        items[:] = [item for item in items if item.get_closest_marker("audit") is None] + audits


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


@pytest.fixture(scope="session", autouse=True)
def process_log() -> Iterator[None]:
    """Every log record of this process, DEBUG and up with tracebacks, to tests/artifacts/.

    No redaction here on purpose: the final audit (tests/audit) proves the gateway
    never writes a card number or CVV in the first place.
    """
    clear_artifacts()  # the audit reads what this run wrote, not an earlier run's leftovers
    path = artifact_path("process.log")
    path.write_text("")
    # Append mode: uvicorn's dictConfig closes every handler, and a closed "a" handler reopens.
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    # The gateway's own JSON lines (extra fields and tracebacks included), unfiltered.
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def live_gateway(sandbox_server: SandboxServer) -> AsyncIterator[LiveGateway]:
    app = create_app(gateway_settings(sandbox_server))
    server, task, url = await serve(app)
    async with aiohttp.ClientSession() as http:
        yield LiveGateway(url, http, sandbox_server, Operations.load(), app)
    await stop(server, task)


@pytest.fixture
def gateway(live_gateway: LiveGateway, sandbox: SandboxServer) -> LiveGateway:
    """The session's gateway, its sandbox reset (no faults, empty request record)."""
    return live_gateway
