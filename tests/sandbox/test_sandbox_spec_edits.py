"""Cart lines, coupons, the customer message, split shipping and order details (issue 13),
success and error, each checked against the official files like test_sandbox_spec.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.openapi.validate import ONE_OF_QUIRKS, RESPONSE_QUIRKS, validate_response
from tests.sandbox.sandbox_client import ADDRESS, Client, Reply

Case = Callable[[Client], Awaitable[Reply]]
MISSING = "00000000-0000-0000-0000-000000000000"
CALIFORNIA = {**ADDRESS, "city": "Los Angeles", "state_or_province": "California",
              "state_or_province_code": "CA", "postal_code": "90001"}  # fmt: skip


async def _cart(c: Client, *products: int, customer_id: int = 0) -> dict[str, Any]:
    lines = [{"product_id": p, "quantity": 1} for p in products or (111, 118, 123)]
    body = {"customer_id": customer_id, "line_items": lines}
    reply = await c.call("POST", "/v3/carts", body)
    assert reply.status == 201, reply.text
    cart: dict[str, Any] = reply.data
    return cart


def _lines(cart: dict[str, Any]) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = cart["line_items"]["physical_items"]
    return lines


def _items(path: str, cart: dict[str, Any], n: int = 0) -> str:
    return f"/v3/carts/{cart['id']}/items{path}".replace("{item}", _lines(cart)[n]["id"])


# -- cart line items --------------------------------------------------------------------


async def add_items_ok(c: Client) -> Reply:
    cart = await _cart(c, 111)
    body = {"line_items": [{"product_id": 130, "quantity": 2}], "version": cart["version"]}
    return await c.call("POST", f"/v3/carts/{cart['id']}/items?include=redirect_urls", body)


async def add_items_unknown_product(c: Client) -> Reply:
    cart = await _cart(c, 111)
    body = {"line_items": [{"product_id": 999, "quantity": 1}]}
    return await c.call("POST", f"/v3/carts/{cart['id']}/items", body)


async def add_items_unknown_cart(c: Client) -> Reply:
    body = {"line_items": [{"product_id": 111, "quantity": 1}]}
    return await c.call("POST", f"/v3/carts/{MISSING}/items", body)


async def add_items_stale(c: Client) -> Reply:
    cart = await _cart(c, 111)
    body = {"line_items": [{"product_id": 118, "quantity": 1}], "version": 99}
    return await c.call("POST", f"/v3/carts/{cart['id']}/items", body)


async def update_item_ok(c: Client) -> Reply:
    cart = await _cart(c)
    body = {"line_item": {"product_id": 111, "quantity": 3}, "version": cart["version"]}
    return await c.call("PUT", _items("/{item}", cart), body)


async def update_item_negative_quantity(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call(
        "PUT", _items("/{item}", cart), {"line_item": {"product_id": 111, "quantity": -1}}
    )


async def update_item_unknown(c: Client) -> Reply:
    cart = await _cart(c)
    body = {"line_item": {"product_id": 111, "quantity": 2}}
    return await c.call("PUT", f"/v3/carts/{cart['id']}/items/{MISSING}", body)


async def update_item_stale(c: Client) -> Reply:
    cart = await _cart(c)
    body = {"line_item": {"product_id": 111, "quantity": 2}, "version": 99}
    return await c.call("PUT", _items("/{item}", cart), body)


async def delete_item_ok(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call("DELETE", _items("/{item}", cart, 1), {"version": cart["version"]})


async def delete_item_last_line(c: Client) -> Reply:
    cart = await _cart(c, 111)
    return await c.call("DELETE", _items("/{item}", cart))


async def delete_item_unknown(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call("DELETE", f"/v3/carts/{cart['id']}/items/{MISSING}")


async def delete_item_stale(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call("DELETE", _items("/{item}", cart), {"version": 99})


# -- customer message -------------------------------------------------------------------


async def update_checkout_ok(c: Client) -> Reply:
    cart = await _cart(c)
    body = {"customer_message": "Leave it by the door,\nplease.", "version": cart["version"]}
    return await c.call("PUT", f"/v3/checkouts/{cart['id']}", body)


async def update_checkout_control_characters(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call("PUT", f"/v3/checkouts/{cart['id']}", {"customer_message": "hi\x00\x1b"})


async def update_checkout_too_long(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call("PUT", f"/v3/checkouts/{cart['id']}", {"customer_message": "x" * 2001})


async def update_checkout_stale(c: Client) -> Reply:
    cart = await _cart(c)
    body = {"customer_message": "hello", "version": 99}
    return await c.call("PUT", f"/v3/checkouts/{cart['id']}", body)


# -- coupons ----------------------------------------------------------------------------


async def _split_checkout(c: Client, customer_id: int = 0) -> tuple[str, list[dict[str, Any]]]:
    """Three lines over two consignments (Texas, California), an option chosen on each."""
    cart = await _cart(c, customer_id=customer_id)
    ids = [line["id"] for line in _lines(cart)]
    reply = await c.call(
        "POST",
        f"/v3/checkouts/{cart['id']}/consignments?include=consignments.available_shipping_options",
        [
            {"address": ADDRESS, "line_items": [{"item_id": i, "quantity": 1} for i in ids[:2]]},
            {"address": CALIFORNIA, "line_items": [{"item_id": ids[2], "quantity": 1}]},
        ],
    )
    assert reply.status == 200, reply.text
    consignments: list[dict[str, Any]] = reply.data["consignments"]
    for con in consignments:
        option = con["available_shipping_options"][0]["id"]
        chosen = await c.call(
            "PUT",
            f"/v3/checkouts/{cart['id']}/consignments/{con['id']}",
            {"shipping_option_id": option},
        )
        assert chosen.status == 200, chosen.text
    return cart["id"], consignments


async def coupon_ok(c: Client) -> Reply:
    cart = await _cart(c)
    body = {"coupon_code": "SAVE10", "version": cart["version"]}
    return await c.call("POST", f"/v3/checkouts/{cart['id']}/coupons", body)


async def coupon_free_shipping_ok(c: Client) -> Reply:
    cid, _ = await _split_checkout(c)
    await c.call("POST", f"/v3/checkouts/{cid}/coupons", {"coupon_code": "SAVE10"})
    return await c.call(
        "POST",
        f"/v3/checkouts/{cid}/coupons?include=consignments.available_shipping_options",
        {"coupon_code": "freeship"},
    )


async def coupon_expired(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call(
        "POST", f"/v3/checkouts/{cart['id']}/coupons", {"coupon_code": "EXPIRED2020"}
    )


async def coupon_unknown(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call("POST", f"/v3/checkouts/{cart['id']}/coupons", {"coupon_code": "NOPE"})


async def coupon_too_long(c: Client) -> Reply:
    cart = await _cart(c)
    body = {"coupon_code": "A" * 10_000}
    return await c.call("POST", f"/v3/checkouts/{cart['id']}/coupons", body)


async def coupon_stale(c: Client) -> Reply:
    cart = await _cart(c)
    body = {"coupon_code": "SAVE10", "version": 99}
    return await c.call("POST", f"/v3/checkouts/{cart['id']}/coupons", body)


async def coupon_delete_ok(c: Client) -> Reply:
    cart = await _cart(c)
    await c.call("POST", f"/v3/checkouts/{cart['id']}/coupons", {"coupon_code": "SAVE10"})
    return await c.call("DELETE", f"/v3/checkouts/{cart['id']}/coupons/SAVE10")


async def coupon_delete_not_applied(c: Client) -> Reply:
    cart = await _cart(c)
    return await c.call("DELETE", f"/v3/checkouts/{cart['id']}/coupons/SAVE10")


async def coupon_delete_stale(c: Client) -> Reply:
    cart = await _cart(c)
    await c.call("POST", f"/v3/checkouts/{cart['id']}/coupons", {"coupon_code": "SAVE10"})
    body = {"version": 1}
    return await c.call("DELETE", f"/v3/checkouts/{cart['id']}/coupons/SAVE10", body)


# -- split shipping and the order -------------------------------------------------------


async def split_order_ok(c: Client) -> Reply:
    cid, _ = await _split_checkout(c)
    await c.call("POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
    return await c.call("POST", f"/v3/checkouts/{cid}/orders")


async def split_order_missing_option(c: Client) -> Reply:
    cid, consignments = await _split_checkout(c)
    await c.call("POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
    # A new address drops the option chosen for it.
    moved = await c.call(
        "PUT",
        f"/v3/checkouts/{cid}/consignments/{consignments[1]['id']}",
        {"address": {**CALIFORNIA, "city": "San Diego", "postal_code": "92101"}},
    )
    assert "selected_shipping_option" not in moved.data["consignments"][1]
    return await c.call("POST", f"/v3/checkouts/{cid}/orders")


async def split_order_line_without_consignment(c: Client) -> Reply:
    cid, _ = await _split_checkout(c)
    await c.call("POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
    pin = {"line_items": [{"product_id": 130, "quantity": 1}]}
    assert (await c.call("POST", f"/v3/carts/{cid}/items", pin)).status == 201
    return await c.call("POST", f"/v3/checkouts/{cid}/orders")


async def _order(c: Client, customer_id: int = 0) -> int:
    cid, _ = await _split_checkout(c, customer_id)
    await c.call("POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
    await c.call("POST", f"/v3/checkouts/{cid}/coupons", {"coupon_code": "SAVE10"})
    await c.call("PUT", f"/v3/checkouts/{cid}", {"customer_message": "Ring twice."})
    reply = await c.call("POST", f"/v3/checkouts/{cid}/orders")
    assert reply.status == 200, reply.text
    order_id: int = reply.data["id"]
    return order_id


async def order_products_ok(c: Client) -> Reply:
    return await c.call("GET", f"/v2/orders/{await _order(c)}/products")


async def order_products_unknown(c: Client) -> Reply:
    return await c.call("GET", "/v2/orders/999999/products")


async def order_shipping_addresses_ok(c: Client) -> Reply:
    return await c.call("GET", f"/v2/orders/{await _order(c)}/shipping_addresses")


async def order_shipping_addresses_unknown(c: Client) -> Reply:
    return await c.call("GET", "/v2/orders/999999/shipping_addresses")


async def orders_list_ok(c: Client) -> Reply:
    await _order(c, customer_id=2)
    return await c.call("GET", "/v2/orders?customer_id=2&sort=date_created:desc&limit=5&page=1")


async def orders_list_empty_page(c: Client) -> Reply:
    return await c.call("GET", "/v2/orders?customer_id=2&limit=5&page=999")


async def orders_list_bad_sort(c: Client) -> Reply:
    return await c.call("GET", "/v2/orders?sort=total:desc")


async def order_v2_with_details_ok(c: Client) -> Reply:
    return await c.call("GET", f"/v2/orders/{await _order(c)}")


CASES: list[tuple[Case, int]] = [
    (add_items_ok, 201),
    (add_items_unknown_product, 422),
    (add_items_unknown_cart, 404),
    (add_items_stale, 409),
    (update_item_ok, 200),
    (update_item_negative_quantity, 422),
    (update_item_unknown, 404),
    (update_item_stale, 409),
    (delete_item_ok, 200),
    (delete_item_last_line, 204),
    (delete_item_unknown, 404),
    (delete_item_stale, 409),
    (update_checkout_ok, 200),
    (update_checkout_control_characters, 422),
    (update_checkout_too_long, 422),
    (update_checkout_stale, 409),
    (coupon_ok, 200),
    (coupon_free_shipping_ok, 200),
    (coupon_expired, 400),
    (coupon_unknown, 400),
    (coupon_too_long, 422),
    (coupon_stale, 409),
    (coupon_delete_ok, 200),
    (coupon_delete_not_applied, 404),
    (coupon_delete_stale, 409),
    (split_order_ok, 200),
    (split_order_missing_option, 422),
    (split_order_line_without_consignment, 422),
    (order_products_ok, 200),
    (order_products_unknown, 404),
    (order_shipping_addresses_ok, 200),
    (order_shipping_addresses_unknown, 404),
    (orders_list_ok, 200),
    (orders_list_empty_page, 200),
    (orders_list_bad_sort, 400),
    (order_v2_with_details_ok, 200),
]


@pytest.mark.parametrize(("case", "status"), CASES, ids=[c.__name__ for c, _ in CASES])
async def test_operation_matches_official_schema(client: Client, case: Case, status: int) -> None:
    reply = await case(client)  # validates request and response bodies on the way
    assert reply.status == status, reply.text
    assert reply.operation is not None
    validate_response(reply.operation, reply.status, reply.json() if reply.text else None)


def test_every_new_operation_is_covered() -> None:
    covered = {
        "add_items": "POST /v3/carts/{cartId}/items",
        "update_item": "PUT /v3/carts/{cartId}/items/{itemId}",
        "delete_item": "DELETE /v3/carts/{cartId}/items/{itemId}",
        "update_checkout": "PUT /v3/checkouts/{checkoutId}",
        "coupon": "POST /v3/checkouts/{checkoutId}/coupons",
        "coupon_delete": "DELETE /v3/checkouts/{checkoutId}/coupons/{couponCode}",
        "order_products": "GET /v2/orders/{order_id}/products",
        "order_shipping_addresses": "GET /v2/orders/{order_id}/shipping_addresses",
        "orders_list": "GET /v2/orders",
    }
    names = [c.__name__ for c, _ in CASES]
    for prefix in covered:
        assert f"{prefix}_ok" in names
        assert any(n.startswith(prefix) and not n.endswith("_ok") for n in names)


def test_schema_patches_say_why() -> None:
    reasons = [q[-1] for q in ONE_OF_QUIRKS] + [q[-1] for q in RESPONSE_QUIRKS]
    assert len(reasons) == 3 and all(len(reason) > 80 for reason in reasons)
