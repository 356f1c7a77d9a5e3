"""Python helpers that drive the Node federation tooling in this folder.

    compose([("checkout", "http://127.0.0.1:8000/graphql", sdl), ...])  -> composition result
    start_node_process("loyalty-subgraph.mjs", ["--port", "0"])           -> (proc, url)

The machinery (skipping without Node, the environment without Apollo credentials, loopback
only, processes killed at exit) is ``tests/node_tools.py``, shared with ``tests/clients``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen
from typing import Any

from tests.node_tools import NodeTooling, stop_node_process

FEDERATION_DIR = Path(__file__).resolve().parent
FEDERATION = NodeTooling(
    FEDERATION_DIR,
    (
        "@apollo/composition",
        "@apollo/gateway",
        "@apollo/server",
        "@apollo/subgraph",
        "graphql",
    ),
)

__all__ = [
    "FEDERATION_DIR",
    "compose",
    "node_process",
    "require_node_tooling",
    "start_node_process",
    "stop_node_process",
]


def require_node_tooling() -> None:
    """Skip the calling test when Node or the npm install is missing; fail instead in CI."""
    FEDERATION.require()


def compose(subgraphs: Sequence[tuple[str, str, str]], timeout: float = 120) -> dict[str, Any]:
    """Compose (name, url, sdl) subgraphs; returns {errors, hints, supergraphSdl}.

    Composition errors come back in ``errors`` (not raised); a crash of the tool raises.
    """
    config = {"subgraphs": [{"name": n, "url": u, "sdl": s} for n, u, s in subgraphs]}
    result: dict[str, Any] = FEDERATION.run_json("compose.mjs", config, timeout=timeout)
    return result


def start_node_process(
    script: str,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> tuple[Popen[str], str]:
    """Start a tool from this folder and wait for its ready line ``{"url": ...}``."""
    return FEDERATION.start(script, args, env, timeout)


@contextmanager
def node_process(
    script: str, args: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """``start_node_process`` as a context manager yielding the URL; stops it on exit."""
    with FEDERATION.process(script, args, env) as url:
        yield url
