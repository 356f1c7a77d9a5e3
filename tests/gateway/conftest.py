"""A live gateway (uvicorn, real HTTP) in front of the session's sandbox store."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import uvicorn

from gateway.sandbox import SandboxServer
from gateway.settings import Settings
from gateway.transport.app import create_app

from graphql_ops import Operations


@dataclass
class LiveGateway:
    url: str
    http: aiohttp.ClientSession
    sandbox: SandboxServer
    ops: Operations
    app: Any

    async def post(self, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        async with self.http.post(f"{self.url}/graphql", json=body, headers=headers) as resp:
            return resp.status, await resp.json(content_type=None)

    async def run(
        self,
        operation: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send one operation of the checkout-flow document as written; return the JSON answer."""
        status, body = await self.post(
            {"query": self.ops.document, "operationName": operation, "variables": variables or {}},
            headers,
        )
        assert status == 200, body
        return body  # type: ignore[no-any-return]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gateway_settings(sandbox: SandboxServer, **overrides: Any) -> Settings:
    env = {"GATEWAY_DEADLINE_S": "10", **overrides}
    settings = Settings.from_env(env)
    return settings.with_upstream(
        sandbox.api_url, sandbox.payments_url, sandbox.store_hash, sandbox.token
    )


async def serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    return server, task, f"http://127.0.0.1:{port}"


async def stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


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
