"""Carts API: create a cart, create its redirect URLs."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

from aiohttp import web

from . import render
from .errors import v3_error
from .inputs import Invalid, as_list, as_object, opt_int, opt_number, opt_str, parse_json, req_int
from .keys import CONFIG, STATE, envelope, includes
from .state import Cart, LineItem, SandboxState, now


def _line_item(state: SandboxState, raw: Any, index: int) -> LineItem:
    prefix = f"line_items.{index}"
    obj = as_object(raw, prefix)
    product_id = req_int(obj, "product_id", f"{prefix}.product_id")
    quantity = req_int(obj, "quantity", f"{prefix}.quantity")
    variant_id = opt_int(obj, "variant_id", f"{prefix}.variant_id")
    list_price = opt_number(obj, "list_price", f"{prefix}.list_price")
    name = opt_str(obj, "name", f"{prefix}.name")
    if obj.get("option_selections"):
        raise Invalid(f"{prefix}.option_selections", "this product has no options")
    product = state.products.get(product_id)
    if product is None:
        raise Invalid(f"{prefix}.product_id", f"Product with id {product_id} does not exist.")
    if variant_id is not None and variant_id != product.variant_id:
        raise Invalid(f"{prefix}.variant_id", f"Variant {variant_id} does not belong to product.")
    if quantity < 1:
        raise Invalid(f"{prefix}.quantity", "quantity must be at least 1")
    if list_price is not None and list_price < 0:
        raise Invalid(f"{prefix}.list_price", "list_price cannot be negative")
    return LineItem(
        id=str(uuid.uuid4()),
        product=product,
        quantity=quantity,
        list_price=Decimal(str(list_price)) if list_price is not None else product.price,
        name=name or product.name,
    )


def redirect_urls(request: web.Request, cart_id: str) -> dict[str, str]:
    base = f"{request.app[CONFIG].api_url}/stores/{request.app[CONFIG].store_hash}/storefront"
    token = secrets.token_hex(32)
    query = f"id={cart_id}&token={token}"
    return {
        "cart_url": f"{base}/cart.php?action=load&{query}",
        "checkout_url": f"{base}/cart.php?action=loadInCheckout&{query}",
        "embedded_checkout_url": f"{base}/cart.php?embedded=1&action=loadInCheckout&{query}",
    }


async def create_cart(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = as_object(parse_json(await request.read()), "body")
    customer_id = opt_int(body, "customer_id") or 0
    channel_id = opt_int(body, "channel_id")
    locale = opt_str(body, "locale") or "en-US"
    currency = body.get("currency")
    if currency is not None:
        code = opt_str(as_object(currency, "currency"), "code", "currency.code")
        if code is not None and code.upper() != "USD":
            raise v3_error(400, f"The currency {code} is not a transactional currency.")
    if customer_id != 0 and customer_id not in state.customers:
        raise Invalid("customer_id", f"Customer {customer_id} does not exist.")
    if body.get("line_items") is None:
        raise v3_error(422, "Missing line_items in request body", errors={"line_items": "required"})
    raw_items = as_list(body["line_items"], "line_items")
    if not raw_items:
        raise v3_error(422, "Missing line_items in request body", errors={"line_items": "empty"})
    items = [_line_item(state, raw, i) for i, raw in enumerate(raw_items)]
    created = now()
    customer = state.customers.get(customer_id)
    cart = Cart(
        id=state.new_cart_id(),
        customer_id=customer_id,
        channel_id=channel_id if channel_id is not None else 1,
        email=customer.email if customer else "",
        locale=locale,
        line_items=items,
        created=created,
        updated=created,
    )
    state.carts[cart.id] = cart
    urls = redirect_urls(request, cart.id) if "redirect_urls" in includes(request) else None
    return envelope(render.cart(cart, redirect_urls=urls), status=201)


async def create_redirect_urls(request: web.Request) -> web.Response:
    state = request.app[STATE]
    cart_id = request.match_info["cart_id"]
    body = parse_json(await request.read(), allow_empty=True)
    if body is not None:
        params = as_object(body, "body").get("query_params")
        if params is not None:
            as_object(params, "query_params")
    if cart_id not in state.carts:
        raise v3_error(404, "Cart not found", detail=f"Cart {cart_id} does not exist.")
    return envelope(redirect_urls(request, cart_id), status=201)
