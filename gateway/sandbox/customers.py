"""Customers V3 (customers.v3.yml) and the cart's customer (carts.v3.yml Update Cart).

- ``POST /v3/customers/validate-credentials``: 200 ``{is_valid, customer_id}``; an unknown
  email and a wrong password get the same answer after the same work.
- ``GET /v3/customers``: ``id:in``, ``email:in``, ``name:in``, ``company:in``,
  ``customer_group_id:in``, ``include``, ``page``, ``limit``. Any other filter gets 422: a
  filter the sandbox ignored would quietly list every customer.
- ``GET /v3/customers/{customerId}/stored-instruments``: a bare array, as the file says.
- ``PUT /v3/carts/{cartId}``: sets ``customer_id`` (optional ``version``), answers 201.

Passwords are kept only as salted SHA-256 digests and compared in constant time; the
request record masks them (recorder.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any, NoReturn

from aiohttp import web

from . import catalog, render
from .carts import redirect_urls
from .errors import conflict, v3_error
from .inputs import Invalid, as_object, opt_int, parse_json, req_str
from .keys import STATE, envelope, includes, json_response
from .state import SandboxState

SANDBOX_PASSWORD = "sandbox-password"  # noqa: S105 - CONTRACT.md §4's published password
CHANNEL_IDS = (1,)  # the channels the sandbox's customers may sign in to
CREATED = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
_SALT = secrets.token_bytes(16)


def _digest(password: str) -> bytes:
    return hashlib.sha256(_SALT + password.encode()).digest()


_PASSWORDS: dict[int, bytes] = {cid: _digest(SANDBOX_PASSWORD) for cid in catalog.CUSTOMERS}
_NOBODY = _digest(secrets.token_hex(16))  # compared against for unknown emails


def add_routes(app: web.Application, v3: str) -> None:
    app.router.add_post(f"{v3}/customers/validate-credentials", validate_credentials)
    app.router.add_get(f"{v3}/customers", get_customers)
    app.router.add_get(f"{v3}/customers/{{customer_id}}/stored-instruments", stored_instruments)
    app.router.add_put(f"{v3}/carts/{{cart_id}}", update_cart_customer)


def find_by_email(state: SandboxState, email: str) -> catalog.Customer | None:
    wanted = email.strip().lower()
    return next((c for c in state.customers.values() if c.email.lower() == wanted), None)


async def validate_credentials(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = as_object(parse_json(await request.read()), "body")
    email = req_str(body, "email")
    password = req_str(body, "password")
    channel_id = opt_int(body, "channel_id")
    customer = find_by_email(state, email)
    expected = _PASSWORDS.get(customer.id, _NOBODY) if customer else _NOBODY
    valid = hmac.compare_digest(_digest(password), expected)
    if channel_id is not None and channel_id not in CHANNEL_IDS:
        valid = False
    if customer is None or not valid:
        return json_response({"is_valid": False, "customer_id": None})
    return json_response({"is_valid": True, "customer_id": customer.id})


# --- Get All Customers --------------------------------------------------------------------

_LIST_FILTERS = ("id:in", "email:in", "name:in", "company:in", "customer_group_id:in")
_PAGING = ("page", "limit", "include", "sort")
_SORTS = {
    "date_created:asc",
    "date_created:desc",
    "last_name:asc",
    "last_name:desc",
    "date_modified:asc",
    "date_modified:desc",
}


def _values(request: web.Request, name: str) -> list[str] | None:
    raw = request.query.getall(name, [])
    if not raw:
        return None
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def _filter_error(name: str, message: str) -> NoReturn:
    raise v3_error(422, "The optional filter parameter was not valid.", errors={name: message})


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        _filter_error(name, f"{name} must be an integer from {low} to {high}")
    return int(raw)


def customer_body(customer: catalog.Customer, wanted: set[str]) -> dict[str, Any]:
    stamp = CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
    out: dict[str, Any] = {
        "id": customer.id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": "",
        "phone": "",
        "registration_ip_address": "",
        "notes": "",
        "tax_exempt_category": "",
        "customer_group_id": 0,
        "date_created": stamp,
        "date_modified": stamp,
        "address_count": 0,
        "attribute_count": 0,
        "authentication": {"force_password_reset": False},
        "accepts_product_review_abandoned_cart_emails": False,
        "origin_channel_id": 1,
        "channel_ids": list(CHANNEL_IDS),
    }
    if "addresses" in wanted:
        out["addresses"] = []
    if "attributes" in wanted:
        out["attributes"] = []
    if "formfields" in wanted:
        out["form_fields"] = []
    if "storecredit" in wanted:
        out["store_credit_amounts"] = [{"amount": 0}]
    return out


def _cursor(customer_id: int) -> str:
    return base64.b64encode(f"id:{customer_id}".encode()).decode()


async def get_customers(request: web.Request) -> web.Response:
    state = request.app[STATE]
    for name in request.query:
        if name not in _LIST_FILTERS and name not in _PAGING:
            _filter_error(name, f"the sandbox store does not support the filter {name}")
    sort = request.query.get("sort")
    if sort is not None and sort not in _SORTS:
        _filter_error("sort", f"sort must be one of {', '.join(sorted(_SORTS))}")
    page = _int_param(request, "page", 1, 1, 10_000)
    limit = _int_param(request, "limit", 50, 1, 250)
    found = sorted(state.customers.values(), key=lambda c: c.id)
    ids = _values(request, "id:in")
    if ids is not None:
        if not all(v.isdigit() for v in ids):
            _filter_error("id:in", "id:in takes integers")
        found = [c for c in found if str(c.id) in ids]
    emails = _values(request, "email:in")
    if emails is not None:
        lowered = {e.lower() for e in emails}
        found = [c for c in found if c.email.lower() in lowered]
    names = _values(request, "name:in")
    if names is not None:
        wanted_names = {n.lower() for n in names}
        found = [c for c in found if f"{c.first_name} {c.last_name}".lower() in wanted_names]
    if _values(request, "company:in") is not None:
        found = []  # no sandbox customer has a company
    groups = _values(request, "customer_group_id:in")
    if groups is not None and "0" not in groups:
        found = []  # every sandbox customer is in group 0
    if sort is not None:
        field, _, order = sort.partition(":")
        key = "last_name" if field == "last_name" else "id"  # created/modified are all equal
        found.sort(key=lambda c: getattr(c, key), reverse=order == "desc")
    total = len(found)
    shown = found[(page - 1) * limit : page * limit]
    wanted = includes(request)
    data = [customer_body(c, wanted) for c in shown]
    pages = max(1, -(-total // limit))
    meta: dict[str, Any] = {
        "pagination": {
            "total": total,
            "count": len(shown),
            "per_page": limit,
            "current_page": page,
            "total_pages": pages,
            "links": {"current": f"?page={page}&limit={limit}"},
        }
    }
    if page == 1:  # the file: both paginations on the first page
        cursors = {"count": len(shown), "per_page": limit, "links": {}}
        if shown:
            cursors.update(start_cursor=_cursor(shown[0].id), end_cursor=_cursor(shown[-1].id))
        meta["cursor_pagination"] = cursors
    return json_response({"data": data, "meta": meta})


# --- Stored instruments ---------------------------------------------------------------------


async def stored_instruments(request: web.Request) -> web.Response:
    state = request.app[STATE]
    raw = request.match_info["customer_id"]
    customer = state.customers.get(int(raw)) if raw.isdigit() else None
    if customer is None:
        raise v3_error(404, "Customer not found", detail=f"Customer {raw} does not exist.")
    # The same facts payment methods list (CardInstrument / PayPalAccountInstrument shapes).
    return json_response([render.stored_instrument(i) for i in state.instruments_of(customer.id)])


# --- Update Cart (customer_id) ------------------------------------------------------------


async def update_cart_customer(request: web.Request) -> web.Response:
    state = request.app[STATE]
    cart_id = request.match_info["cart_id"]
    body = as_object(parse_json(await request.read()), "body")
    customer_id = opt_int(body, "customer_id")
    version = opt_int(body, "version")
    cart = state.carts.get(cart_id)
    if cart is None:
        raise v3_error(404, "Cart not found", detail=f"Cart {cart_id} does not exist.")
    if version is not None and version != cart.version:
        raise conflict()
    if customer_id is None:
        raise Invalid("customer_id", "customer_id is required", missing=True)
    if customer_id != 0 and customer_id not in state.customers:
        raise Invalid("customer_id", f"Customer {customer_id} does not exist.")
    if customer_id != cart.customer_id:
        customer = state.customers.get(customer_id)
        cart.customer_id = customer_id
        cart.email = customer.email if customer else ""
        # The file: a new customer removes the cart's shipping calculations.
        for consignment in cart.consignments:
            consignment.selected_option = None
        cart.touch()
    urls = redirect_urls(request, cart.id) if "redirect_urls" in includes(request) else None
    return envelope(render.cart(cart, redirect_urls=urls), status=201)
