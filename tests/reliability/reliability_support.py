"""Helpers for the reliability suite: our own gateways (small deadlines) over the session sandbox.

Built on ``tests/live_gateway.py``, so this directory also runs alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from gateway.bootstrap import create_app
from gateway.sandbox import SandboxServer
from tests import live_gateway
from tests.graphql_ops import Operations

live = live_gateway


@asynccontextmanager
async def own_gateway(sandbox: SandboxServer, **env: str) -> AsyncIterator[Any]:
    """A gateway of our own with ``env`` settings (short deadline by default) over ``sandbox``."""
    settings = live.gateway_settings(sandbox, **{"GATEWAY_DEADLINE_S": "3", **env})
    app = create_app(settings)
    server, task, url = await live.serve(app)
    try:
        async with aiohttp.ClientSession() as http:
            yield live.LiveGateway(url, http, sandbox, Operations.load(), app)
    finally:
        await live.stop(server, task)


def sent(sandbox: SandboxServer, method: str, path_regex: str) -> int:
    """How many recorded upstream requests match."""
    import re

    pattern = re.compile(path_regex)
    return sum(
        1 for r in sandbox.requests if r.method == method and pattern.fullmatch(r.path) is not None
    )


PAYMENTS = r"/stores/[^/]+/payments"
CHECKOUT = r".*/v3/checkouts/[^/]+"
METHODS = r".*/v3/payments/methods"
