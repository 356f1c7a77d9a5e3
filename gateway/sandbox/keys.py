"""Typed keys for what the aiohttp apps share with their handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .scopes import Grant
from .state import SandboxState


@dataclass
class StoreConfig:
    store_hash: str
    token: str
    api_url: str = ""
    payments_url: str = ""
    # Tokens besides ``token`` and their scopes; ``token`` itself has every scope
    # unless it is listed here (see scopes.py).
    grants: dict[str, Grant] = field(default_factory=dict)

    def knows(self, token: str | None) -> bool:
        return token is not None and (token == self.token or token in self.grants)

    def grant(self, token: str) -> Grant:
        return self.grants.get(token)


STATE = web.AppKey("state", SandboxState)
CONFIG = web.AppKey("config", StoreConfig)


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json"
    )


def envelope(data: Any, status: int = 200) -> web.Response:
    return json_response({"data": data, "meta": {}}, status)


def includes(request: web.Request) -> set[str]:
    """``include`` is form-style, explode=false: ``include=a,b``; repeated params also work."""
    out: set[str] = set()
    for value in request.query.getall("include", []):
        out.update(part.strip() for part in value.split(",") if part.strip())
    return out
