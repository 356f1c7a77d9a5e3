"""Typed keys for what the aiohttp apps share with their handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .state import SandboxState


@dataclass
class StoreConfig:
    store_hash: str
    token: str
    api_url: str = ""
    payments_url: str = ""


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
