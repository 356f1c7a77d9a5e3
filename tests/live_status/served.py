"""``checkout-gateway serve`` as a process, in front of the test session's sandbox store.

The gateway runs in production mode against the sandbox (store hash, token and URLs in
its environment), so a test can both drive it from outside and read the sandbox's
record (order reads, callbacks) and move orders there (``PUT /v2/orders/{id}``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from gateway.http.webhooks import WEBHOOK_PATH
from gateway.sandbox import SandboxServer
from tests import live_gateway as live
from tests.artifacts import artifact_stream
from tests.graphql_ops import Operations

CLIENT_KEY = "live-status-client-key"
WEBHOOK_SECRET = "live-status-webhook-secret-0123456789"
SECRET = "live-status-order-id-secret-0123456789"
AUTH = {"Authorization": f"Bearer {CLIENT_KEY}"}
DOCUMENT = (
    "subscription OrderStatus($orderId: ID!) {\n"
    "  orderStatusChanged(orderId: $orderId) { id number status statusId }\n}"
)


def gateway_env(sandbox: SandboxServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGCOMMERCE_", "GATEWAY_"))}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(
        BIGCOMMERCE_STORE_HASH=sandbox.store_hash,
        BIGCOMMERCE_ACCESS_TOKEN=sandbox.token,
        BIGCOMMERCE_API_URL=sandbox.api_url,
        BIGCOMMERCE_PAYMENTS_URL=sandbox.payments_url,
        GATEWAY_SECRET=SECRET,
        GATEWAY_WEBHOOK_SECRET=WEBHOOK_SECRET,
        GATEWAY_CLIENT_KEYS=CLIENT_KEY,
        GATEWAY_DEADLINE_S="10",
        GATEWAY_SUBSCRIPTION_HEARTBEAT_S="0.5",
    )
    env.update(extra)
    return env


async def cli(env: dict[str, str], *args: str) -> str:
    """One ``checkout-gateway`` command; its stdout (it must succeed)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


@dataclass
class ServedGateway:
    """A ``serve`` process; ``run`` sends an operation of the checkout-flow document."""

    proc: asyncio.subprocess.Process
    url: str
    http: aiohttp.ClientSession
    ops: Operations

    @property
    def webhook_url(self) -> str:
        return f"{self.url}{WEBHOOK_PATH}"

    async def run(
        self,
        operation: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body = {"query": self.ops.document, "operationName": operation, "variables": variables}
        sent = {**AUTH, **(headers or {})}
        async with self.http.post(f"{self.url}/graphql", json=body, headers=sent) as resp:
            assert resp.status == 200, await resp.text()
            return orjson.loads(await resp.read())  # type: ignore[no-any-return]

    async def metrics(self) -> str:
        async with self.http.get(f"{self.url}/metrics") as resp:
            return await resp.text()

    async def terminate(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), 30)


async def start_gateway(
    env: dict[str, str], http: aiohttp.ClientSession, log: str, args: Sequence[str] = ()
) -> ServedGateway:
    port = live.free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", "serve", "--port", str(port), *args,
        env=env, stdout=artifact_stream(log), stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        await live.wait_until_ready(http, url, lambda: proc.returncode is None)
    except BaseException:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        raise
    return ServedGateway(proc, url, http, Operations.load())


def metric(text: str, name: str, **labels: str) -> float:
    """A sample's value in Prometheus text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    head = f"{name}{{{wanted}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(head + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def order_reads(sandbox: SandboxServer, number: int) -> int:
    await asyncio.sleep(0)
    return sum(
        1 for r in sandbox.requests if r.method == "GET" and r.path.endswith(f"/v2/orders/{number}")
    )


async def set_status(
    http: aiohttp.ClientSession, sandbox: SandboxServer, number: int, status_id: int
) -> None:
    """``PUT /v2/orders/{id}`` on the sandbox, as a merchant's back office would."""
    url = f"{sandbox.api_url}/stores/{sandbox.store_hash}/v2/orders/{number}"
    headers = {"X-Auth-Token": sandbox.token, "Accept": "application/json"}
    async with http.put(url, json={"status_id": status_id}, headers=headers) as resp:
        assert resp.status == 200, await resp.text()


class WsSubscriber:
    """One graphql-transport-ws subscription (aiohttp's client), for the protocol's edges."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, base: str, order_id: str) -> WsSubscriber:
        ws = await http.ws_connect(
            base.replace("http://", "ws://") + "/graphql", protocols=("graphql-transport-ws",)
        )
        await ws.send_json({"type": "connection_init", "payload": AUTH})
        assert (await cls._json(ws))["type"] == "connection_ack"
        payload = {"query": DOCUMENT, "variables": {"orderId": order_id}}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
        return cls(ws)

    @staticmethod
    async def _json(ws: aiohttp.ClientWebSocketResponse, seconds: float = 15) -> dict[str, Any]:
        message = await asyncio.wait_for(ws.receive(), seconds)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        return message.json()  # type: ignore[no-any-return]

    async def status(self, seconds: float = 15) -> str:
        message = await self._json(self.ws, seconds)
        assert message["type"] == "next", message
        return message["payload"]["data"]["orderStatusChanged"]["status"]  # type: ignore[no-any-return]

    async def nothing_within(self, seconds: float) -> bool:
        try:
            message = await asyncio.wait_for(self.ws.receive(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected frame {message}")

    async def close_code(self) -> int | None:
        while True:
            message = await asyncio.wait_for(self.ws.receive(), 15)
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                return self.ws.close_code
