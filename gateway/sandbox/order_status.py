"""``PUT /v2/orders/{order_id}`` (orders.v2.oas2.yml Update an Order), for ``status_id``.

Answers 200 with the whole order (``order_Resp``), as the file says. A changed status goes
through ``SandboxState.set_order_status``, so hooks get ``store/order/statusUpdated``.
The sandbox changes nothing else on an order: any other field of ``order_Put`` gets a
400 naming it, rather than being accepted and silently ignored.
"""

from __future__ import annotations

from aiohttp import web

from . import render
from .errors import v2_error
from .inputs import as_object, parse_json
from .keys import CONFIG, STATE, json_response
from .orders import find_order


def add_routes(app: web.Application, base: str) -> None:
    app.router.add_put(f"{base}/v2/orders/{{order_id}}", update_order)


async def update_order(request: web.Request) -> web.Response:
    state = request.app[STATE]
    order = find_order(state, request.match_info["order_id"])
    if order is None:
        raise v2_error(404, "The requested resource was not found.")
    body = as_object(parse_json(await request.read()), "body")
    others = sorted(set(body) - {"status_id"})
    if others:
        raise v2_error(400, f"The sandbox store updates only status_id, not: {', '.join(others)}.")
    if "status_id" in body:
        status_id = body["status_id"]
        valid = isinstance(status_id, int) and not isinstance(status_id, bool)
        if not valid or status_id not in render.STATUS_NAMES:
            raise v2_error(400, "The field 'status_id' is invalid.")
        state.set_order_status(order, status_id)
    config = request.app[CONFIG]
    return json_response(render.order_v2(order, f"{config.api_url}/stores/{config.store_hash}"))
