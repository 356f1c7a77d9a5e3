"""The current request's id and facts, reachable from the adapter without threading them through.

The request middleware sets both; the upstream observer counts calls into the
facts; the log filter stamps the id on every line.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str | None] = ContextVar("gateway_request_id", default=None)
facts: ContextVar[dict[str, Any] | None] = ContextVar("gateway_request_facts", default=None)

# An incoming X-Request-Id is kept when it is short and plain (it ends up in logs).
_SANE_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")


def accept_or_new(incoming: bytes | None) -> str:
    if incoming is not None and _SANE_ID.fullmatch(incoming):
        return incoming.decode("ascii")
    return os.urandom(16).hex()


def count_upstream_call() -> None:
    current = facts.get()
    if current is not None:
        current["upstream_calls"] = current.get("upstream_calls", 0) + 1


def payload_error(code: str) -> None:
    """A mutation payload carries this error: the first one is the request's outcome."""
    current = facts.get()
    if current is not None:
        current.setdefault("payload_error", code)


def outcome(current: dict[str, Any], status: int) -> str:
    """ok, the first top-level error code, else the first payload error code, else http_N."""
    found = current.get("outcome")
    if found == "ok":
        return str(current.get("payload_error", "ok"))
    return str(found) if found else ("ok" if status < 400 else f"http_{status}")
