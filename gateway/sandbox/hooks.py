"""Webhooks V3 (webhooks.v3.yml): create, list, get, update and delete ``/v3/hooks``.

Create answers 200 (as the file says), list filters by ``is_active``, ``scope`` and
``destination`` with ``page``/``limit``, delete answers 200 with the deleted hook. A hook is
seen only by the token (API account) that made it.

Destinations: BigCommerce takes https on port 443 only. The sandbox takes those too (but
only ever calls loopback hosts, see callbacks.py) and, unlike BigCommerce, plain-http or
custom-port destinations on a loopback host, so tests and a local gateway can receive.
"""

from __future__ import annotations

import re
import time
from typing import Any, NoReturn
from urllib.parse import urlsplit

from aiohttp import web

from .errors import v3_error
from .hook_store import MAX_PER_SCOPE, Hook, client_id_of, is_loopback
from .inputs import as_object, parse_json
from .keys import CONFIG, STATE, json_response

INVALID_TITLE = "JSON data is missing or invalid"  # the file's 422 example
_SCOPE = re.compile(r"store/[A-Za-z]+(/[A-Za-z]+)*(/\*)?")


def add_routes(app: web.Application, v3: str) -> None:
    app.router.add_post(f"{v3}/hooks", create_hook)
    app.router.add_get(f"{v3}/hooks", list_hooks)
    app.router.add_get(f"{v3}/hooks/{{hook_id:\\d+}}", get_hook)
    app.router.add_put(f"{v3}/hooks/{{hook_id:\\d+}}", update_hook)
    app.router.add_delete(f"{v3}/hooks/{{hook_id:\\d+}}", delete_hook)


def _invalid(field: str, message: str) -> NoReturn:
    raise v3_error(422, INVALID_TITLE, errors={field: message})


def _check_destination(destination: str) -> None:
    parts = urlsplit(destination)
    try:
        port = parts.port
    except ValueError:
        _invalid("destination", "destination must be an absolute http(s) URL")
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        _invalid("destination", "destination must be an absolute http(s) URL")
    if is_loopback(host):
        return  # the sandbox's departure: any scheme and port on loopback
    if parts.scheme != "https" or port not in (None, 443):
        _invalid("destination", "destination must be served over https on port 443")


def _headers(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        _invalid("headers", "headers must be an object of string values")
    return dict(value)


def _scope(value: Any) -> str:
    if not isinstance(value, str) or not _SCOPE.fullmatch(value):
        _invalid("scope", "scope must be a webhook event such as store/order/created")
    return value


def _destination(value: Any) -> str:
    if not isinstance(value, str) or not value:
        _invalid("destination", "destination must be a URL")
    _check_destination(value)
    return value


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        _invalid("is_active", "is_active must be a boolean")
    return value


def render_hook(hook: Hook, store_hash: str) -> dict[str, Any]:
    return {
        "id": hook.id,
        "client_id": hook.client_id,
        "store_hash": store_hash,
        "scope": hook.scope,
        "destination": hook.destination,
        "headers": hook.headers,
        "is_active": hook.is_active,
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
    }


def _client(request: web.Request) -> str:
    return client_id_of(request.headers.get("X-Auth-Token", ""))


def _one(request: web.Request, hook: Hook) -> web.Response:
    return json_response({"data": render_hook(hook, request.app[CONFIG].store_hash), "meta": {}})


def _found(request: web.Request) -> Hook:
    hook_id = int(request.match_info["hook_id"])
    hook = request.app[STATE].hooks.get(_client(request), hook_id)
    if hook is None:
        raise v3_error(404, f"Webhook with id [{hook_id}] not found")
    return hook


def _duplicate(hooks: list[Hook], scope: str, destination: str, skip: int | None) -> None:
    same_scope = [h for h in hooks if h.scope == scope and h.id != skip]
    if any(h.destination == destination for h in same_scope):
        _invalid("destination", "a webhook for this scope and destination already exists")
    if len(same_scope) >= MAX_PER_SCOPE:
        _invalid("scope", f"at most {MAX_PER_SCOPE} webhooks per scope")


async def create_hook(request: web.Request) -> web.Response:
    store = request.app[STATE].hooks
    body = as_object(parse_json(await request.read()), "body")
    if body.get("scope") is None:
        _invalid("scope", "error.path.missing.")
    if body.get("destination") is None:
        _invalid("destination", "error.path.missing.")
    scope = _scope(body["scope"])
    destination = _destination(body["destination"])
    is_active = True if body.get("is_active") is None else _active(body["is_active"])
    headers = _headers(body.get("headers"))
    client = _client(request)
    _duplicate(store.of_client(client), scope, destination, None)
    return _one(request, store.add(client, scope, destination, headers, is_active))


async def list_hooks(request: web.Request) -> web.Response:
    hooks = sorted(request.app[STATE].hooks.of_client(_client(request)), key=lambda h: h.id)
    query = request.query
    active = query.get("is_active")
    if active is not None:
        if active not in ("true", "false"):
            raise v3_error(400, "Input is invalid.", detail="is_active must be true or false")
        hooks = [h for h in hooks if h.is_active == (active == "true")]
    if "scope" in query:
        hooks = [h for h in hooks if h.scope == query["scope"]]
    if "destination" in query:
        hooks = [h for h in hooks if h.destination == query["destination"]]
    page, limit = query.get("page", "1"), query.get("limit", "50")
    if not page.isdigit() or not limit.isdigit() or int(page) < 1 or int(limit) < 1:
        raise v3_error(400, "Input is invalid.", detail="page and limit must be positive")
    p, n = int(page), int(limit)
    shown = hooks[(p - 1) * n : p * n]
    store_hash = request.app[CONFIG].store_hash
    pagination = {
        "total": len(hooks),
        "count": len(shown),
        "per_page": n,
        "current_page": p,
        "total_pages": max(1, -(-len(hooks) // n)),
        "links": {"current": f"?page={p}&limit={n}"},
    }
    data = [render_hook(h, store_hash) for h in shown]
    return json_response({"data": data, "meta": {"pagination": pagination}})


async def get_hook(request: web.Request) -> web.Response:
    return _one(request, _found(request))


async def update_hook(request: web.Request) -> web.Response:
    hook = _found(request)
    body = as_object(parse_json(await request.read()), "body")
    known = {"scope", "destination", "is_active", "headers"}
    if not known & set(body):
        _invalid("body", "at least one of scope, destination, is_active, headers is required")
    scope = _scope(body["scope"]) if "scope" in body else hook.scope
    destination = _destination(body["destination"]) if "destination" in body else hook.destination
    if (scope, destination) != (hook.scope, hook.destination):
        _duplicate(request.app[STATE].hooks.of_client(hook.client_id), scope, destination, hook.id)
    if "is_active" in body:
        hook.is_active = _active(body["is_active"])
    if "headers" in body:
        hook.headers = _headers(body["headers"])
    hook.scope, hook.destination = scope, destination
    hook.updated_at = max(hook.updated_at, int(time.time()))
    return _one(request, hook)


async def delete_hook(request: web.Request) -> web.Response:
    hook = _found(request)
    request.app[STATE].hooks.remove(hook.id)
    return _one(request, hook)
