"""Carts API, line items: Add Cart Line Items, Update Cart Line Item, Delete Cart Line Item.

A line that leaves the cart leaves its consignment too (an emptied consignment goes), and
deleting the last line deletes the cart (204, as carts.v3.yml says).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web

from . import render
from .carts import _line_item, redirect_urls
from .errors import conflict, v3_error
from .inputs import Invalid, as_list, as_object, opt_int, opt_number, parse_json, req_int
from .keys import STATE, envelope, includes
from .state import Cart, LineItem


def _cart(request: web.Request) -> Cart:
    cart_id = request.match_info["cart_id"]
    cart = request.app[STATE].carts.get(cart_id)
    if cart is None:
        raise v3_error(404, "Cart not found", detail=f"Cart {cart_id} does not exist.")
    return cart


def _item(cart: Cart, item_id: str) -> LineItem:
    for item in cart.line_items:
        if item.id == item_id:
            return item
    raise v3_error(404, "Line item not found", detail=f"Line item {item_id} is not in the cart.")


def _check_version(cart: Cart, obj: dict[str, Any]) -> None:
    version = opt_int(obj, "version")
    if version is not None and version != cart.version:
        raise conflict()


def _respond(request: web.Request, cart: Cart, status: int = 200) -> web.Response:
    urls = redirect_urls(request, cart.id) if "redirect_urls" in includes(request) else None
    return envelope(render.cart(cart, redirect_urls=urls), status=status)


def _merge(cart: Cart, new: LineItem) -> bool:
    """Adding a product already in the cart at the same price raises that line's quantity."""
    for item in cart.line_items:
        same = item.product.id == new.product.id and item.list_price == new.list_price
        if same and item.name == new.name:
            item.quantity += new.quantity
            return True
    return False


def remove_line(cart: Cart, item_id: str) -> None:
    cart.line_items = [i for i in cart.line_items if i.id != item_id]
    for con in cart.consignments:
        if item_id in con.line_item_ids:
            con.line_item_ids.remove(item_id)
    cart.consignments = [c for c in cart.consignments if c.line_item_ids]


async def add_items(request: web.Request) -> web.Response:
    state = request.app[STATE]
    cart = _cart(request)
    body = as_object(parse_json(await request.read()), "body")
    for unsupported in ("custom_items", "gift_certificates"):
        if body.get(unsupported):
            raise Invalid(unsupported, f"{unsupported} are not sold by the sandbox store")
    if body.get("line_items") is None:
        raise v3_error(422, "Missing line_items in request body", errors={"line_items": "required"})
    raw_items = as_list(body["line_items"], "line_items")
    if not raw_items:
        raise v3_error(422, "Missing line_items in request body", errors={"line_items": "empty"})
    items = [_line_item(state, raw, n) for n, raw in enumerate(raw_items)]
    _check_version(cart, body)
    for item in items:
        if not _merge(cart, item):
            cart.line_items.append(item)
    cart.touch()
    return _respond(request, cart, status=201)


async def update_item(request: web.Request) -> web.Response:
    cart = _cart(request)
    item = _item(cart, request.match_info["item_id"])
    body = as_object(parse_json(await request.read()), "body")
    if body.get("line_item") is None:
        raise Invalid("line_item", "line_item is required", missing=True)
    line = as_object(body["line_item"], "line_item")
    product_id = req_int(line, "product_id", "line_item.product_id")
    quantity = req_int(line, "quantity", "line_item.quantity")
    variant_id = opt_int(line, "variant_id", "line_item.variant_id")
    list_price = opt_number(line, "list_price", "line_item.list_price")
    if product_id != item.product.id:
        raise Invalid("line_item.product_id", "product_id does not match the line item")
    if variant_id is not None and variant_id != item.product.variant_id:
        # carts.v3.yml: a new variant means removing the line and adding it again.
        raise Invalid("line_item.variant_id", "variant_id does not match the line item")
    if quantity < 1:
        raise Invalid("line_item.quantity", "quantity must be at least 1")
    if list_price is not None and list_price < 0:
        raise Invalid("line_item.list_price", "list_price cannot be negative")
    _check_version(cart, body)
    item.quantity = quantity
    if list_price is not None:
        item.list_price = Decimal(str(list_price))
    cart.touch()
    return _respond(request, cart)


async def delete_item(request: web.Request) -> web.Response:
    state = request.app[STATE]
    cart = _cart(request)
    item = _item(cart, request.match_info["item_id"])
    body = parse_json(await request.read(), allow_empty=True)
    if body is not None:
        _check_version(cart, as_object(body, "body"))
    remove_line(cart, item.id)
    if not cart.line_items:
        # "If the action's result is an empty cart, the cart is automatically deleted."
        del state.carts[cart.id]
        return web.Response(status=204)
    cart.touch()
    return _respond(request, cart)
