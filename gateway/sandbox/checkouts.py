"""Checkouts API: read a checkout, billing address, consignments, create order."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import catalog, order_details, render
from .errors import checkout_not_found, conflict, v3_error
from .inputs import Invalid, as_list, as_object, opt_int, opt_str, parse_json, req_int, req_str
from .keys import STATE, envelope, includes
from .pricing import cart_totals
from .state import Address, Cart, Consignment, Order, hex_id, now

OPTIONS_INCLUDE = "consignments.available_shipping_options"
STRING_FIELDS = tuple(f for f in render.ADDRESS_FIELDS if f not in ("email", "country_code"))
# What BigCommerce needs of a shipping address before it creates an order.
ORDER_ADDRESS_FIELDS = ("first_name", "last_name", "address1", "city", "email", "country_code")


def _cart(request: web.Request) -> Cart:
    checkout_id = request.match_info["checkout_id"]
    cart = request.app[STATE].carts.get(checkout_id)
    if cart is None:
        raise v3_error(404, "Checkout not found", detail=f"Checkout {checkout_id} does not exist.")
    return cart


def _check_version(cart: Cart, obj: dict[str, Any], field: str = "version") -> None:
    # Optimistic concurrency: only checked when the client sends a version.
    version = opt_int(obj, "version", field)
    if version is not None and version != cart.version:
        raise conflict()


def _respond(request: web.Request, cart: Cart) -> web.Response:
    with_options = OPTIONS_INCLUDE in includes(request)
    return envelope(render.checkout(cart, with_options=with_options))


def _key(field: str, name: str) -> str:
    """An error key: the field's path in the request body (``""``: the body is the address)."""
    return f"{field}.{name}" if field else name


def parse_address(raw: Any, field: str, address_id: str) -> Address:
    """``field`` is where the address sits in the body; ``""`` when the body is the address
    (the billing-address calls), so error keys name the body's own fields."""
    obj = as_object(raw, field or "body")
    fields: dict[str, Any] = {}
    email = req_str(obj, "email", _key(field, "email"))
    if "@" not in email:
        raise Invalid(_key(field, "email"), "email is not a valid email address")
    fields["email"] = email
    country = req_str(obj, "country_code", _key(field, "country_code")).upper()
    if country not in catalog.COUNTRIES:
        raise Invalid(_key(field, "country_code"), f"{country} is not a valid country code")
    fields["country_code"] = country
    for key in STRING_FIELDS:
        value = opt_str(obj, key, _key(field, key))
        if value is not None:
            fields[key] = value
    if country == "US":
        _normalise_us_state(fields, field)
    custom = obj.get("custom_fields")
    if custom is not None:
        items = as_list(custom, _key(field, "custom_fields"))
        fields["custom_fields"] = [as_object(x, _key(field, "custom_fields")) for x in items]
    return Address(id=address_id, fields=fields)


def _normalise_us_state(fields: dict[str, Any], field: str) -> None:
    # BigCommerce answers the full state name even when sent the code (see the e2e guide).
    code = (fields.get("state_or_province_code") or "").upper()
    name = fields.get("state_or_province") or ""
    if not code and name:
        code = catalog.US_STATE_CODES.get(name.lower(), name.upper())
    if not code:
        return
    if code not in catalog.US_STATES:
        raise Invalid(_key(field, "state_or_province"), f"{name or code} is not a valid US state")
    fields["state_or_province_code"] = code
    fields["state_or_province"] = catalog.US_STATES[code]


async def get_checkout(request: web.Request) -> web.Response:
    checkout_id = request.match_info["checkout_id"]
    cart = request.app[STATE].carts.get(checkout_id)
    if cart is None:
        raise checkout_not_found(checkout_id)
    return _respond(request, cart)


async def add_billing_address(request: web.Request) -> web.Response:
    cart = _cart(request)
    body = as_object(parse_json(await request.read()), "body")
    address = parse_address(body, "", hex_id())
    _check_version(cart, body)
    if cart.billing_address is not None:
        address.id = cart.billing_address.id
    cart.billing_address = address
    cart.touch()
    return _respond(request, cart)


async def update_billing_address(request: web.Request) -> web.Response:
    cart = _cart(request)
    address_id = request.match_info["address_id"]
    body = as_object(parse_json(await request.read()), "body")
    if cart.billing_address is None or cart.billing_address.id != address_id:
        raise v3_error(404, "Address not found", detail=f"Billing address {address_id} not found.")
    address = parse_address(body, "", address_id)
    _check_version(cart, body)
    cart.billing_address = address
    cart.touch()
    return _respond(request, cart)


def _line_item_ids(cart: Cart, raw: Any, field: str, *, taken: set[str]) -> list[str]:
    """Validates a consignment's line items; ``taken`` are ids other consignments hold."""
    items = as_list(raw, field)
    if not items:
        raise Invalid(field, "at least one line item is required", missing=True)
    known = {item.id: item for item in cart.line_items}
    ids: list[str] = []
    for n, raw_item in enumerate(items):
        obj = as_object(raw_item, f"{field}.{n}")
        item_id = req_str(obj, "item_id", f"{field}.{n}.item_id")
        quantity = req_int(obj, "quantity", f"{field}.{n}.quantity")
        item = known.get(item_id)
        if item is None:
            raise Invalid(f"{field}.{n}.item_id", f"Line item {item_id} is not in the cart.")
        if quantity < 1 or quantity > item.quantity:
            raise Invalid(f"{field}.{n}.quantity", "quantity does not match the cart line item")
        if item_id in taken or item_id in ids:
            raise Invalid(f"{field}.{n}.item_id", f"Line item {item_id} is already assigned.")
        ids.append(item_id)
    return ids


async def add_consignments(request: web.Request) -> web.Response:
    cart = _cart(request)
    raw = parse_json(await request.read())
    if not isinstance(raw, list):
        raise v3_error(
            422,
            "The request needs to be enclosed in an array.",
            errors={"body": "must be an array of consignments"},
        )
    if not raw:
        raise Invalid("body", "at least one consignment is required", missing=True)
    new: list[Consignment] = []
    taken = {i for c in cart.consignments for i in c.line_item_ids}
    for n, element in enumerate(raw):
        obj = as_object(element, f"{n}")
        if obj.get("pickup_option") is not None:
            raise Invalid(f"{n}.pickup_option", "pickup consignments are not supported")
        # `shipping_address` is the deprecated alias the e2e guide still sends.
        raw_address = obj.get("address", obj.get("shipping_address"))
        if raw_address is None:
            raise Invalid(f"{n}.address", "address is required", missing=True)
        address = parse_address(raw_address, f"{n}.address", hex_id())
        if obj.get("line_items") is None:
            raise Invalid(f"{n}.line_items", "line_items is required", missing=True)
        item_ids = _line_item_ids(cart, obj["line_items"], f"{n}.line_items", taken=taken)
        taken.update(item_ids)
        _check_version(cart, obj, f"{n}.version")
        new.append(Consignment(id=hex_id(), address=address, line_item_ids=item_ids))
    cart.consignments.extend(new)
    cart.touch()
    return _respond(request, cart)


def _consignment(cart: Cart, consignment_id: str) -> Consignment:
    for con in cart.consignments:
        if con.id == consignment_id:
            return con
    raise v3_error(404, "Consignment not found", detail=f"Consignment {consignment_id} not found.")


def _taken_by_others(cart: Cart, con: Consignment) -> set[str]:
    return {i for c in cart.consignments if c is not con for i in c.line_item_ids}


async def update_consignment(request: web.Request) -> web.Response:
    cart = _cart(request)
    con = _consignment(cart, request.match_info["consignment_id"])
    body = as_object(parse_json(await request.read()), "body")
    option_id = opt_str(body, "shipping_option_id")
    changes_shipment = any(body.get(k) is not None for k in ("address", "line_items"))
    for unsupported in ("pickup_option", "custom_shipping"):
        if body.get(unsupported) is not None:
            raise Invalid(unsupported, f"{unsupported} is not supported by the sandbox store")
    if option_id is not None and changes_shipment:
        # The docs: shipping_option_id "has to be updated in a separate request".
        raise Invalid(
            "shipping_option_id", "shipping_option_id must be updated in a separate request"
        )
    address = (
        parse_address(body["address"], "address", con.address.id) if body.get("address") else None
    )
    item_ids = (
        _line_item_ids(cart, body["line_items"], "line_items", taken=_taken_by_others(cart, con))
        if body.get("line_items") is not None
        else None
    )
    option = None
    if option_id is not None:
        options = catalog.shipping_options_for(con.address.fields.get("country_code", ""))
        option = next((o for o in options if o.id == option_id), None)
        if option is None:
            raise Invalid("shipping_option_id", f"Shipping option {option_id} is not available.")
    _check_version(cart, body)
    if address is None and item_ids is None and option is None:
        return _respond(request, cart)
    if address is not None:
        con.address = address
        con.selected_option = None  # a new address invalidates the chosen option
    if item_ids is not None:
        con.line_item_ids = item_ids
        con.selected_option = None
    if option is not None:
        con.selected_option = option
    cart.touch()
    return _respond(request, cart)


async def delete_consignment(request: web.Request) -> web.Response:
    cart = _cart(request)
    con = _consignment(cart, request.match_info["consignment_id"])
    body = parse_json(await request.read(), allow_empty=True)
    if body is not None:
        _check_version(cart, as_object(body, "body"))
    cart.consignments.remove(con)
    cart.touch()
    return _respond(request, cart)


def _order_problem(cart: Cart) -> str | None:
    if cart.billing_address is None:
        return "A billing address is required to create an order."
    billing = cart.billing_address.fields
    if not all(billing.get(f) for f in ("first_name", "last_name", "email", "country_code")):
        return "The billing address for this order is incomplete."
    assigned = {i for c in cart.consignments for i in c.line_item_ids}
    if not cart.consignments or any(item.id not in assigned for item in cart.line_items):
        return "A shipping address for this order is incomplete."
    for con in cart.consignments:
        fields = con.address.fields
        needed = ORDER_ADDRESS_FIELDS + (
            ("postal_code", "state_or_province") if fields.get("country_code") == "US" else ()
        )
        if not all(fields.get(f) for f in needed):
            return "A shipping address for this order is incomplete."
        if con.selected_option is None:
            return "A shipping method must be selected for every consignment."
    return None


async def create_order(request: web.Request) -> web.Response:
    state = request.app[STATE]
    cart = _cart(request)
    problem = _order_problem(cart)
    if problem is not None:
        raise v3_error(422, problem)
    assert cart.billing_address is not None
    created = now()
    totals = cart_totals(cart)
    order = Order(
        id=state.next_order_id(),
        cart_id=cart.id,
        customer_id=cart.customer_id,
        channel_id=cart.channel_id,
        email=cart.billing_address.fields.get("email", cart.email),
        totals=totals,
        items_total=sum(item.quantity for item in cart.line_items),
        billing_address=dict(cart.billing_address.fields),
        created=created,
        modified=created,
    )
    order_details.keep_details(state, order, cart, totals)
    state.orders[order.id] = order
    cart.order_id = order.id
    state.order_created(order)  # store/order/created callbacks
    return envelope({"id": order.id})
