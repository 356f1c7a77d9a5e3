"""GraphQL client libraries on Node (tests/clients) run against a gateway, from any test.

    result = await run_client("graphql-http-audit.mjs", {"url": f"{gateway.url}/graphql"})

``run_client`` skips the test (fails under CI) when Node or ``npm ci --prefix tests/clients``
is missing, runs the script with the payload as JSON on stdin without blocking the event
loop (the live gateway keeps serving), and returns the JSON the script printed last.
Scripts print their result with ``writeResult`` from ``tests/clients/io.mjs``; a crash
raises RuntimeError with the script's stderr. URLs given to them are loopback only.
``NodeSubscriber`` is the long-lived one: ``subscribe.mjs`` printing one line per event.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.node_tools import NodeTooling, node_env

CLIENTS_DIR = Path(__file__).resolve().parent / "clients"
CLIENTS = NodeTooling(
    CLIENTS_DIR, ("@apollo/client", "graphql", "graphql-http", "graphql-ws", "rxjs", "ws")
)


def require_clients() -> None:
    """Skip the calling test when the Node clients cannot run; fail instead in CI."""
    CLIENTS.require()


async def run_client(script: str, payload: Any = None, time_limit_s: float = 120) -> Any:
    """Run ``tests/clients/<script>`` with ``payload`` on stdin; return its JSON result."""
    CLIENTS.require()
    return await CLIENTS.run_json_async(script, payload, time_limit_s=time_limit_s)


class NodeSubscriber:
    """``tests/clients/subscribe.mjs``: graphql-ws, or Apollo Client's HttpLink over multipart,
    subscribed to one order's status; one JSON line per event (or error) on its stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def open(
        cls, transport: str, graphql_url: str, client_key: str, order_id: str, *token: str
    ) -> NodeSubscriber:
        """Start the client (``token``: a shopper token, or none for a guest)."""
        CLIENTS.require()
        process = await asyncio.create_subprocess_exec(
            *CLIENTS.argv("subscribe.mjs", [transport, graphql_url, client_key, order_id, *token]),
            cwd=CLIENTS_DIR,
            env=node_env(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def line(self, seconds: float = 20) -> dict[str, Any]:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), seconds)
        assert raw, "the client exited"
        return json.loads(raw)  # type: ignore[no-any-return]

    async def status(self) -> str:
        line = await self.line()
        assert "data" in line, line
        return line["data"]["orderStatusChanged"]["status"]  # type: ignore[no-any-return]

    async def close(self) -> None:
        """Closing stdin asks the client to unsubscribe and exit; killed if it does not."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
