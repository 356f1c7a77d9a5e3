"""Helpers for the reliability suite: our own gateways (small deadlines) over the session sandbox.

The shared helpers of ``tests/gateway/conftest.py`` are loaded under another
module name, so this directory also runs alone.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from gateway.sandbox import SandboxServer
from gateway.transport.app import create_app

from graphql_ops import Operations

GATEWAY_TESTS = Path(__file__).resolve().parent.parent / "gateway"
if str(GATEWAY_TESTS) not in sys.path:
    sys.path.insert(0, str(GATEWAY_TESTS))  # for ``flow``


def _load_live_helpers() -> Any:
    spec = importlib.util.spec_from_file_location(
        "live_gateway_helpers", GATEWAY_TESTS / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


live = _load_live_helpers()


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
