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
