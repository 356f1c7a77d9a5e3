"""The two aiohttp applications (management host, payments host) and their middleware.

One middleware per host does, in order: record the request, apply an injected fault,
apply the rate limit, check auth, run the handler, and turn every failure into the
documented error body of the API family (never a 500 with a traceback).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from . import (
    cart_items,
    carts,
    checkout_message,
    checkouts,
    coupons,
    customers,
    hooks,
    order_details,
    order_status,
    orders,
    payments,
    scopes,
    store_info,
)
from .errors import ApiError, error_for_path, payments_error, v2_error, v3_error
from .faults import Fault, FaultRegistry
from .inputs import Invalid, Malformed
from .keys import CONFIG, STATE, StoreConfig
from .ratelimit import RateLimiter
from .recorder import Recorder
from .state import SandboxState

log = logging.getLogger("gateway.sandbox")

HostName = Literal["api", "payments"]

HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


class Dropped(Exception):
    """The connection was cut on purpose (fault injection)."""


def _drop(request: web.Request) -> web.Response:
    transport = request.transport
    if transport is not None:
        transport.abort()
    # aiohttp cannot write to the aborted transport; this response is never sent.
    return web.Response(status=499)


def _family_error(host: HostName, path: str, status: int, title: str) -> ApiError:
    if host == "payments":
        return payments_error(status, title)
    return error_for_path(path, status, title)


def _invalid_error(host: HostName, path: str, exc: Invalid) -> ApiError:
    title = "Missing Required Fields" if exc.missing else "Invalid Field"
    errors = {exc.field: exc.message}
    if host == "payments" or "/v3/payments/" in path:
        return payments_error(422, title, code=10001, errors=errors)
    if "/v2/" in path:
        return v2_error(422, f"{exc.field}: {exc.message}")
    return v3_error(422, title, errors=errors)


def _malformed_error(host: HostName, path: str) -> ApiError:
    title = "The request body is not valid JSON."
    if host == "payments" or "/v3/payments/" in path:
        return payments_error(400, title, code=10001)
    return error_for_path(path, 400, title)


def _fault_response(
    fault: Fault, host: HostName, path: str, limit_headers: dict[str, str]
) -> web.Response:
    if fault.kind == "html_502":
        return web.Response(status=502, body=HTML_502, content_type="text/html")
    if fault.kind == "rate_limit":
        headers: dict[str, str] = {}
        if fault.with_headers:
            headers.update(limit_headers)
            headers["X-Rate-Limit-Time-Reset-Ms"] = str(fault.reset_ms)
            headers["X-Rate-Limit-Requests-Left"] = "0"
        if fault.retry_after_s is not None:
            headers["X-Retry-After"] = str(fault.retry_after_s)
        response = _family_error(host, path, 429, "Too Many Requests").response()
        response.headers.update(headers)
        return response
    # kind == "status"
    status = fault.http_status
    if fault.body is None:
        response = _family_error(host, path, status, "Injected failure").response()
    elif isinstance(fault.body, bytes):
        response = web.Response(status=status, body=fault.body, content_type="application/json")
    else:
        response = ApiError(status, fault.body).response()
    response.headers.update(limit_headers)
    if fault.headers:
        response.headers.update(fault.headers)
    return response


def _api_auth(request: web.Request, config: StoreConfig) -> None:
    path = request.path
    prefix = f"/stores/{config.store_hash}/"
    token = request.headers.get("X-Auth-Token")
    if token is None or not config.knows(token):
        title = "Unauthorized"
        if "/v2/" in path:
            raise v2_error(401, "You are not authorized to access this resource.")
        if "/v3/payments/" in path:
            raise payments_error(401, title, detail="A valid X-Auth-Token header is required.")
        raise v3_error(401, title, detail="A valid X-Auth-Token header is required.")
    if not path.startswith(prefix):
        raise error_for_path(path, 404, "The requested store was not found.")
    if not scopes.allowed(config.grant(token), request.method, path[len(prefix) - 1 :]):
        raise scopes.forbidden(path)
    accept = request.headers.get("Accept", "*/*")
    if not any(t in accept for t in ("application/json", "*/*", "application/*")):
        raise error_for_path(path, 406, "Not Acceptable")
    writes = request.method in ("POST", "PUT") and request.body_exists
    if writes and request.content_type != "application/json":
        raise error_for_path(path, 415, "Unsupported Media Type")


def make_middleware(
    host: HostName, recorder: Recorder, faults: FaultRegistry, limiter: RateLimiter
) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read() if request.body_exists else b""
        path = request.path
        recorder.record(host, request.method, path, request.query, request.headers, body)
        fault = faults.take(request.method, path)
        decision = limiter.check()
        if fault is not None:
            if fault.kind == "drop":
                return _drop(request)
            if fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
            elif fault.kind not in ("drop_after_effect", "status_after_effect"):
                return _fault_response(fault, host, path, decision.headers)
        if not decision.allowed:
            limited = _family_error(host, path, 429, "Too Many Requests").response()
            limited.headers.update(decision.headers)
            limited.headers["X-Retry-After"] = str(max(1, -(-decision.reset_ms // 1000)))
            return limited
        response: web.StreamResponse
        try:
            if host == "api":
                _api_auth(request, request.app[CONFIG])
            response = await handler(request)
        except ApiError as exc:
            response = exc.response()
        except Invalid as exc:
            response = _invalid_error(host, path, exc).response()
        except Malformed:
            response = _malformed_error(host, path).response()
        except web.HTTPException as exc:  # router's 404/405
            response = _family_error(host, path, exc.status, exc.reason).response()
        except Exception:
            log.exception("sandbox handler failed for %s %s", request.method, path)
            response = _family_error(host, path, 500, "Internal Server Error").response()
        response.headers.update(decision.headers)
        if fault is not None and fault.kind == "drop_after_effect":
            return _drop(request)
        if fault is not None and fault.kind == "status_after_effect":
            return _fault_response(fault, host, path, decision.headers)
        return response

    return middleware


def build_api_app(
    state: SandboxState,
    config: StoreConfig,
    recorder: Recorder,
    faults: FaultRegistry,
    limiter: RateLimiter,
) -> web.Application:
    app = web.Application(middlewares=[make_middleware("api", recorder, faults, limiter)])
    app[STATE] = state
    app[CONFIG] = config
    payments.install(app)
    base = f"/stores/{config.store_hash}"
    v3 = f"{base}/v3"
    checkout = f"{v3}/checkouts/{{checkout_id}}"
    app.router.add_post(f"{v3}/carts", carts.create_cart)
    app.router.add_post(f"{v3}/carts/{{cart_id}}/redirect_urls", carts.create_redirect_urls)
    _add_issue_13_routes(app, base)
    app.router.add_get(checkout, checkouts.get_checkout)
    app.router.add_post(f"{checkout}/billing-address", checkouts.add_billing_address)
    app.router.add_put(
        f"{checkout}/billing-address/{{address_id}}", checkouts.update_billing_address
    )
    app.router.add_post(f"{checkout}/consignments", checkouts.add_consignments)
    app.router.add_put(f"{checkout}/consignments/{{consignment_id}}", checkouts.update_consignment)
    app.router.add_delete(
        f"{checkout}/consignments/{{consignment_id}}", checkouts.delete_consignment
    )
    app.router.add_post(f"{checkout}/orders", checkouts.create_order)
    app.router.add_get(f"{v3}/payments/methods", payments.payment_methods)
    app.router.add_post(f"{v3}/payments/access_tokens", payments.create_access_token)
    app.router.add_get(f"{base}/v2/orders/{{order_id}}", orders.get_order_v2)
    app.router.add_get(f"{v3}/orders/{{order_id}}/transactions", orders.get_transactions)
    # Shopper identity, webhooks, order status and store information (issues 11, 17, 15).
    customers.add_routes(app, v3)
    hooks.add_routes(app, v3)
    order_status.add_routes(app, base)
    store_info.add_routes(app, base)
    return app


def _add_issue_13_routes(app: web.Application, base: str) -> None:
    """Cart lines, coupons, the customer message, order details and the order list."""
    items = f"{base}/v3/carts/{{cart_id}}/items"
    checkout = f"{base}/v3/checkouts/{{checkout_id}}"
    order = f"{base}/v2/orders/{{order_id}}"
    app.router.add_post(items, cart_items.add_items)
    app.router.add_put(f"{items}/{{item_id}}", cart_items.update_item)
    app.router.add_delete(f"{items}/{{item_id}}", cart_items.delete_item)
    app.router.add_put(checkout, checkout_message.update_checkout)
    app.router.add_post(f"{checkout}/coupons", coupons.add_coupon)
    app.router.add_delete(f"{checkout}/coupons/{{coupon_code}}", coupons.delete_coupon)
    app.router.add_get(f"{base}/v2/orders", order_details.list_orders)
    app.router.add_get(f"{order}/products", order_details.get_products)
    app.router.add_get(f"{order}/shipping_addresses", order_details.get_shipping_addresses)
    # The order body's own link names the resource "shippingaddresses"; both answer.
    app.router.add_get(f"{order}/shippingaddresses", order_details.get_shipping_addresses)


def build_payments_app(
    state: SandboxState,
    config: StoreConfig,
    recorder: Recorder,
    faults: FaultRegistry,
    limiter: RateLimiter,
) -> web.Application:
    app = web.Application(middlewares=[make_middleware("payments", recorder, faults, limiter)])
    app[STATE] = state
    app[CONFIG] = config
    app.router.add_post(f"/stores/{config.store_hash}/payments", payments.process_payment)
    return app
