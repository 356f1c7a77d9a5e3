"""A live gateway (uvicorn, real HTTP) over a sandbox store: the helpers every test folder uses.

``tests/conftest.py`` builds its fixtures on them; other folders import them
(and ``flow``, the checkout-flow driver) to start gateways of their own.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import uvicorn

from gateway.http.one_write import OneWriteHttpToolsProtocol
from gateway.sandbox import SandboxServer
from gateway.settings import Settings
from tests import flow
from tests.graphql_ops import Operations


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
    # Keep-alive longer than the test clients' (aiohttp: 15 s), so a client never reuses a
    # connection at the instant the server closes it.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_keep_alive=60,
        http=OneWriteHttpToolsProtocol,  # `checkout-gateway serve`'s
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


async def wait_until_ready(
    http: aiohttp.ClientSession, base_url: str, alive: Callable[[], bool] = lambda: True
) -> None:
    """Poll ``/readyz`` of a gateway started as a process, until 200 (or fail).

    A minute at most: workers under coverage on a busy 2-core machine start slowly.
    """
    give_up = asyncio.get_running_loop().time() + 60
    while asyncio.get_running_loop().time() < give_up:
        assert alive(), "the gateway process exited"
        try:
            async with http.get(f"{base_url}/readyz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the gateway did not become ready")


__all__ = [
    "LiveGateway",
    "flow",
    "free_port",
    "gateway_settings",
    "serve",
    "stop",
    "wait_until_ready",
]
