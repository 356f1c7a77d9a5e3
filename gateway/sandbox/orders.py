"""Orders: v2 order read (bare body, v2 errors) and v3 order transactions."""

from __future__ import annotations

from aiohttp import web

from . import render
from .errors import v2_error, v3_error
from .keys import CONFIG, STATE, json_response
from .state import Order, SandboxState


def find_order(state: SandboxState, raw_id: str) -> Order | None:
    if not raw_id.isdigit():
        return None
    return state.orders.get(int(raw_id))


async def get_order_v2(request: web.Request) -> web.Response:
    order = find_order(request.app[STATE], request.match_info["order_id"])
    if order is None:
        raise v2_error(404, "The requested resource was not found.")
    config = request.app[CONFIG]
    return json_response(render.order_v2(order, f"{config.api_url}/stores/{config.store_hash}"))


async def get_transactions(request: web.Request) -> web.Response:
    state = request.app[STATE]
    order = find_order(state, request.match_info["order_id"])
    if order is None:
        raise v3_error(404, "The requested resource was not found.")
    data = [render.transaction(t) for t in state.transactions.get(order.id, [])]
    meta = {
        "pagination": {
            "total": len(data),
            "count": len(data),
            "per_page": 50,
            "current_page": 1,
            "total_pages": 1,
            "links": {"current": "?page=1&limit=50"},
        }
    }
    return json_response({"data": data, "meta": meta})
