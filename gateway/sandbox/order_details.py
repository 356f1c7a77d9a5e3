"""Orders v2 details: an order's products and shipping addresses (kept when the order is
made from a checkout), and the order list (``GET /v2/orders``) filtered by customer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web

from . import catalog, render
from .errors import v2_error
from .keys import CONFIG, STATE, json_response
from .orders import find_order
from .pricing import as_v2_string, money
from .state import Cart, Order, OrderProduct, OrderShippingAddress, SandboxState, Totals

# orders.v2.oas2.yml: sort is one of these fields, optionally with ":asc" or ":desc".
SORT_FIELDS = ("id", "customer_id", "date_created", "date_modified", "status_id", "channel_id")
MAX_LIMIT = 250  # BigCommerce's v2 page size cap


def keep_details(state: SandboxState, order: Order, cart: Cart, totals: Totals) -> None:
    """Copies what the order shows later: products, where each consignment goes, the note."""
    order.customer_message = cart.customer_message
    charges = {line.item_id: line for line in totals.lines}
    shipments = {s.consignment_id: s for s in totals.shipments}
    address_of: dict[str, int] = {}
    for con in cart.consignments:
        row_id = state.next_order_row_id()
        items = [i for i in cart.line_items if i.id in con.line_item_ids]
        order.shipping_addresses.append(
            OrderShippingAddress(
                id=row_id,
                fields=dict(con.address.fields),
                items_total=sum(i.quantity for i in items),
                method=con.selected_option.description if con.selected_option else "None",
                charge=shipments[con.id],
            )
        )
        address_of.update((item_id, row_id) for item_id in con.line_item_ids)
    for item in cart.line_items:
        order.products.append(
            OrderProduct(
                id=state.next_order_row_id(),
                product=item.product,
                name=item.name,
                quantity=item.quantity,
                price=item.list_price,
                charge=charges[item.id],
                order_address_id=address_of.get(item.id, 0),
                coupon_codes=tuple(cart.coupon_codes),
            )
        )


def _order(request: web.Request) -> Order:
    order = find_order(request.app[STATE], request.match_info["order_id"])
    if order is None:
        raise v2_error(404, "The requested resource was not found.")
    return order


def _positive(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise v2_error(400, f"The field '{name}' is invalid.")
    return int(raw)


def _page(request: web.Request, rows: list[Any]) -> list[Any]:
    limit = min(_positive(request, "limit", 50), MAX_LIMIT)
    page = _positive(request, "page", 1)
    return rows[(page - 1) * limit : page * limit]


def product_v2(p: OrderProduct, order_id: int) -> dict[str, Any]:
    s = as_v2_string
    c = p.charge
    unit_tax = money(p.price * c.rate)
    zero = s(Decimal("0"))
    discounts = [
        {"id": "coupon", "amount": s(c.coupon_discount), "name": code, "code": code,
         "target": "product"}
        for code in p.coupon_codes[:1]
        if c.coupon_discount
    ]  # fmt: skip
    return {
        "id": p.id,
        "order_id": order_id,
        "product_id": p.product.id,
        "variant_id": p.product.variant_id,
        "order_address_id": p.order_address_id,
        "name": p.name,
        "name_customer": p.name,
        "name_merchant": p.product.name,
        "sku": p.product.sku,
        "upc": "",
        "type": "physical",
        "base_price": s(p.price),
        "price_ex_tax": s(p.price),
        "price_inc_tax": s(p.price + unit_tax),
        "price_tax": s(unit_tax),
        "base_total": s(c.extended),
        "total_ex_tax": s(c.extended),
        "total_inc_tax": s(c.extended + money(c.extended * c.rate)),
        "total_tax": s(money(c.extended * c.rate)),
        "discounted_total_inc_tax": s(c.extended - c.coupon_discount + c.tax),
        "quantity": p.quantity,
        "base_cost_price": zero,
        "cost_price_inc_tax": zero,
        "cost_price_ex_tax": zero,
        "cost_price_tax": zero,
        "weight": 0,
        "is_refunded": False,
        "quantity_refunded": 0,
        "refund_amount": zero,
        "return_id": 0,
        "wrapping_id": 0,
        "wrapping_name": None,
        "base_wrapping_cost": zero,
        "wrapping_cost_ex_tax": zero,
        "wrapping_cost_inc_tax": zero,
        "wrapping_cost_tax": zero,
        "wrapping_message": "",
        "quantity_shipped": 0,
        "event_name": None,
        "event_date": None,
        "fixed_shipping_cost": zero,
        "ebay_item_id": "",
        "ebay_transaction_id": "",
        "option_set_id": None,
        "parent_order_product_id": None,
        "is_bundled_product": False,
        "bin_picking_number": "",
        "external_id": None,
        "brand": "",
        "applied_discounts": discounts,
        "product_options": [],
        "configurable_fields": [],
        "gift_certificate_id": None,
    }


def shipping_address_v2(a: OrderShippingAddress, order_id: int, api_base: str) -> dict[str, Any]:
    s = as_v2_string
    f = a.fields
    c = a.charge
    zero = s(Decimal("0"))
    resource = f"/orders/{order_id}/shippingaddresses/{a.id}/shippingquotes"
    return {
        "id": a.id,
        "order_id": order_id,
        "first_name": f.get("first_name", ""),
        "last_name": f.get("last_name", ""),
        "company": f.get("company", ""),
        "street_1": f.get("address1", ""),
        "street_2": f.get("address2", ""),
        "city": f.get("city", ""),
        "zip": f.get("postal_code", ""),
        "country": catalog.COUNTRIES.get(f.get("country_code", ""), ""),
        "country_iso2": f.get("country_code", ""),
        "state": f.get("state_or_province", ""),
        "email": f.get("email", ""),
        "phone": f.get("phone", ""),
        "items_total": a.items_total,
        "items_shipped": 0,
        "shipping_method": a.method,
        "base_cost": s(c.base_cost),
        "cost_ex_tax": s(c.cost_ex_tax),
        "cost_inc_tax": s(c.cost_ex_tax + c.tax),
        "cost_tax": s(c.tax),
        "cost_tax_class_id": 0,
        "base_handling_cost": zero,
        "handling_cost_ex_tax": zero,
        "handling_cost_inc_tax": zero,
        "handling_cost_tax": zero,
        "handling_cost_tax_class_id": 0,
        "shipping_zone_id": 1,
        "shipping_zone_name": "United States" if f.get("country_code") == "US" else "Worldwide",
        "form_fields": [],
        "shipping_quotes": {"url": f"{api_base}/v2{resource}", "resource": resource},
    }


def _api_base(request: web.Request) -> str:
    config = request.app[CONFIG]
    return f"{config.api_url}/stores/{config.store_hash}"


async def get_products(request: web.Request) -> web.Response:
    order = _order(request)
    rows = [product_v2(p, order.id) for p in order.products]
    return json_response(_page(request, rows))


async def get_shipping_addresses(request: web.Request) -> web.Response:
    order = _order(request)
    base = _api_base(request)
    rows = [shipping_address_v2(a, order.id, base) for a in order.shipping_addresses]
    return json_response(_page(request, rows))


def _sort_key(field: str) -> Any:
    def key(o: Order) -> Any:
        if field == "date_created":
            return (o.created, o.id)  # ties (same second) by id, so newest stays first
        if field == "date_modified":
            return (o.modified, o.id)
        return getattr(o, field)

    return key


async def list_orders(request: web.Request) -> web.Response:
    """Get All Orders: the default sort is by id, lowest first; an empty page is ``[]``."""
    orders = list(request.app[STATE].orders.values())
    raw_customer = request.query.get("customer_id")
    if raw_customer is not None:
        if not raw_customer.isdigit():
            raise v2_error(400, "The field 'customer_id' is invalid.")
        orders = [o for o in orders if o.customer_id == int(raw_customer)]
    field, _, direction = request.query.get("sort", "id").partition(":")
    if field not in SORT_FIELDS or direction not in ("", "asc", "desc"):
        raise v2_error(400, "The field 'sort' is invalid.")
    orders.sort(key=_sort_key(field), reverse=direction == "desc")
    base = _api_base(request)
    return json_response(_page(request, [render.order_v2(o, base) for o in orders]))
