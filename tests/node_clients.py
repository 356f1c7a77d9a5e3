"""GraphQL client libraries on Node (tests/clients) run against a gateway, from any test.

    result = await run_client("graphql-http-audit.mjs", {"url": f"{gateway.url}/graphql"})

``run_client`` skips the test (fails under CI) when Node or ``npm ci --prefix tests/clients``
is missing, runs the script with the payload as JSON on stdin without blocking the event
loop (the live gateway keeps serving), and returns the JSON the script printed last.
Scripts print their result with ``writeResult`` from ``tests/clients/io.mjs``; a crash
raises RuntimeError with the script's stderr. URLs given to them are loopback only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.node_tools import NodeTooling

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
