"""Every operation the sandbox serves, success and error, checked against the official files.

Each case runs through ``Client.call``, which validates the request body against the
operation's request schema and the response body against the schema the file gives that
status (or, for an error status the file does not list, the API family's error format).
Deliberate departures from the files are patched in ``tests/openapi/validate.py``:
``QUIRKS`` (addressId is a hex string, not an integer) and ``SCHEMA_QUIRKS`` (stored PayPal
accounts in payment methods); ``KNOWN_DEPARTURES`` names the ones the schemas tolerate
(``redirect_urls`` in a cart, ``shipping_address`` in a consignment, string ``order_id``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.openapi.validate import QUIRKS, validate_path, validate_response
from tests.sandbox.sandbox_client import ADDRESS, Client, Reply, card

Case = Callable[[Client], Awaitable[Reply]]
MISSING = "00000000-0000-0000-0000-000000000000"


async def _cart(c: Client) -> dict[str, Any]:
    return await c.create_cart()


async def _checkout_with_consignment(c: Client) -> tuple[str, str, str]:
    cart = await c.create_cart()
    item = cart["line_items"]["physical_items"][0]
    reply = await c.call(
        "POST",
        f"/v3/checkouts/{cart['id']}/consignments",
        [{"address": ADDRESS, "line_items": [{"item_id": item["id"], "quantity": 2}]}],
    )
    return cart["id"], reply.data["consignments"][0]["id"], item["id"]


async def create_cart_ok(c: Client) -> Reply:
    body = {"customer_id": 1, "line_items": [{"product_id": 118, "variant_id": 218, "quantity": 1}]}
    return await c.call("POST", "/v3/carts?include=redirect_urls", body)


async def create_cart_unknown_product(c: Client) -> Reply:
    return await c.call("POST", "/v3/carts", {"line_items": [{"product_id": 999, "quantity": 1}]})


async def redirect_urls_ok(c: Client) -> Reply:
    return await c.call("POST", f"/v3/carts/{(await _cart(c))['id']}/redirect_urls", {})


async def redirect_urls_unknown_cart(c: Client) -> Reply:
    return await c.call("POST", f"/v3/carts/{MISSING}/redirect_urls", {})


async def get_checkout_ok(c: Client) -> Reply:
    cid, _, _ = await _checkout_with_consignment(c)
    include = "consignments.available_shipping_options,cart.line_items.physical_items.options"
    return await c.call("GET", f"/v3/checkouts/{cid}?include={include}")


async def get_checkout_unknown(c: Client) -> Reply:
    return await c.call("GET", f"/v3/checkouts/{MISSING}")


async def billing_ok(c: Client) -> Reply:
    return await c.call("POST", f"/v3/checkouts/{(await _cart(c))['id']}/billing-address", ADDRESS)


async def billing_stale_version(c: Client) -> Reply:
    cid = (await _cart(c))["id"]
    return await c.call("POST", f"/v3/checkouts/{cid}/billing-address", {**ADDRESS, "version": 99})


async def billing_update_ok(c: Client) -> Reply:
    cid = (await _cart(c))["id"]
    first = await c.call("POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
    address_id = first.data["billing_address"]["id"]
    validate_path("PUT", f"/v3/checkouts/{cid}/billing-address/{address_id}")  # QUIRKS[0]
    return await c.call(
        "PUT", f"/v3/checkouts/{cid}/billing-address/{address_id}", {**ADDRESS, "city": "Dallas"}
    )


async def billing_update_unknown(c: Client) -> Reply:
    cid = (await _cart(c))["id"]
    return await c.call("PUT", f"/v3/checkouts/{cid}/billing-address/abcdef1234567", ADDRESS)


async def consignment_ok(c: Client) -> Reply:
    cart = await _cart(c)
    item = cart["line_items"]["physical_items"][0]
    return await c.call(
        "POST",
        f"/v3/checkouts/{cart['id']}/consignments?include=consignments.available_shipping_options",
        [{"address": ADDRESS, "line_items": [{"item_id": item["id"], "quantity": 2}]}],
    )


async def consignment_unknown_item(c: Client) -> Reply:
    cid = (await _cart(c))["id"]
    return await c.call(
        "POST",
        f"/v3/checkouts/{cid}/consignments",
        [{"address": ADDRESS, "line_items": [{"item_id": "nope", "quantity": 1}]}],
    )


async def consignment_update_ok(c: Client) -> Reply:
    cid, con, _ = await _checkout_with_consignment(c)
    checkout = await c.call(
        "GET", f"/v3/checkouts/{cid}?include=consignments.available_shipping_options"
    )
    option = checkout.data["consignments"][0]["available_shipping_options"][1]["id"]
    return await c.call(
        "PUT", f"/v3/checkouts/{cid}/consignments/{con}", {"shipping_option_id": option}
    )


async def consignment_update_bad_option(c: Client) -> Reply:
    cid, con, _ = await _checkout_with_consignment(c)
    return await c.call(
        "PUT", f"/v3/checkouts/{cid}/consignments/{con}", {"shipping_option_id": "x"}
    )


async def consignment_update_stale(c: Client) -> Reply:
    cid, con, _ = await _checkout_with_consignment(c)
    body = {"address": {**ADDRESS, "city": "Dallas"}, "version": 1}
    return await c.call("PUT", f"/v3/checkouts/{cid}/consignments/{con}", body)


async def consignment_delete_ok(c: Client) -> Reply:
    cid, con, _ = await _checkout_with_consignment(c)
    return await c.call("DELETE", f"/v3/checkouts/{cid}/consignments/{con}")


async def consignment_delete_unknown(c: Client) -> Reply:
    cid = (await _cart(c))["id"]
    return await c.call("DELETE", f"/v3/checkouts/{cid}/consignments/abcdef1234567")


async def order_ok(c: Client) -> Reply:
    cid, _ = await c.ready_checkout()
    return await c.call("POST", f"/v3/checkouts/{cid}/orders")


async def order_without_shipping(c: Client) -> Reply:
    cid, _, _ = await _checkout_with_consignment(c)
    await c.call("POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
    return await c.call("POST", f"/v3/checkouts/{cid}/orders")


async def methods_ok(c: Client) -> Reply:
    return await c.call("GET", f"/v3/payments/methods?order_id={await c.order(1)}")


async def methods_unknown_order(c: Client) -> Reply:
    return await c.call("GET", "/v3/payments/methods?order_id=999999")


async def methods_no_query(c: Client) -> Reply:
    return await c.call("GET", "/v3/payments/methods")


async def token_ok(c: Client) -> Reply:
    return await c.call("POST", "/v3/payments/access_tokens", {"order": {"id": await c.order()}})


async def token_unknown_order(c: Client) -> Reply:
    return await c.call("POST", "/v3/payments/access_tokens", {"order": {"id": 999999}})


async def token_paid_order(c: Client) -> Reply:
    order_id = await c.order()
    await c.pay(order_id, card())
    return await c.call("POST", "/v3/payments/access_tokens", {"order": {"id": order_id}})


async def order_v2_ok(c: Client) -> Reply:
    return await c.call("GET", f"/v2/orders/{await c.order()}")


async def order_v2_unknown(c: Client) -> Reply:
    return await c.call("GET", "/v2/orders/999999")


async def transactions_ok(c: Client) -> Reply:
    order_id = await c.order()
    await c.pay(order_id, card())
    return await c.call("GET", f"/v3/orders/{order_id}/transactions")


async def transactions_unknown(c: Client) -> Reply:
    return await c.call("GET", "/v3/orders/999999/transactions")


async def payment_ok(c: Client) -> Reply:
    return await c.pay(await c.order(), card())


async def payment_declined(c: Client) -> Reply:
    return await c.pay(await c.order(), card("4000000000000002"))


async def payment_bad_pat(c: Client) -> Reply:
    return await c.pay(await c.order(), card(), token="not-a-token")


CASES: list[tuple[Case, int]] = [
    (create_cart_ok, 201),
    (create_cart_unknown_product, 422),
    (redirect_urls_ok, 201),
    (redirect_urls_unknown_cart, 404),
    (get_checkout_ok, 200),
    (get_checkout_unknown, 404),
    (billing_ok, 200),
    (billing_stale_version, 409),
    (billing_update_ok, 200),
    (billing_update_unknown, 404),
    (consignment_ok, 200),
    (consignment_unknown_item, 422),
    (consignment_update_ok, 200),
    (consignment_update_bad_option, 422),
    (consignment_update_stale, 409),
    (consignment_delete_ok, 200),
    (consignment_delete_unknown, 404),
    (order_ok, 200),
    (order_without_shipping, 422),
    (methods_ok, 200),
    (methods_unknown_order, 404),
    (methods_no_query, 400),
    (token_ok, 201),
    (token_unknown_order, 404),
    (token_paid_order, 422),
    (order_v2_ok, 200),
    (order_v2_unknown, 404),
    (transactions_ok, 200),
    (transactions_unknown, 404),
    (payment_ok, 201),
    (payment_declined, 422),
    (payment_bad_pat, 401),
]


@pytest.mark.parametrize(("case", "status"), CASES, ids=[c.__name__ for c, _ in CASES])
async def test_operation_matches_official_schema(client: Client, case: Case, status: int) -> None:
    reply = await case(client)  # validates request and response bodies on the way
    assert reply.status == status, reply.text
    assert reply.operation is not None
    validate_response(reply.operation, reply.status, reply.json())


def test_every_served_operation_is_covered() -> None:
    served = {
        "POST /v3/carts",
        "POST /v3/carts/{cartId}/redirect_urls",
        "GET /v3/checkouts/{checkoutId}",
        "POST /v3/checkouts/{checkoutId}/billing-address",
        "PUT /v3/checkouts/{checkoutId}/billing-address/{addressId}",
        "POST /v3/checkouts/{checkoutId}/consignments",
        "PUT /v3/checkouts/{checkoutId}/consignments/{consignmentId}",
        "DELETE /v3/checkouts/{checkoutId}/consignments/{consignmentId}",
        "POST /v3/checkouts/{checkoutId}/orders",
        "GET /v3/payments/methods",
        "POST /v3/payments/access_tokens",
        "GET /v2/orders/{order_id}",
        "GET /v3/orders/{order_id}/transactions",
        "POST /payments",
    }
    names = " ".join(c.__name__ for c, _ in CASES)
    for prefix in ("create_cart", "redirect_urls", "get_checkout", "billing", "billing_update",
                   "consignment", "consignment_update", "consignment_delete", "order",
                   "methods", "token", "order_v2", "transactions", "payment"):  # fmt: skip
        assert f"{prefix}_ok" in names
        assert any(n.startswith(prefix) and not n.endswith("_ok") for n in names.split())
    assert len(served) == 14


def test_address_id_quirk_is_named() -> None:
    # The file types addressId as integer; BigCommerce issues hex strings ("6516f14419a81").
    assert any("addressId" in where for _, where, _, _ in QUIRKS)
    validate_path("PUT", "/stores/s/v3/checkouts/abc/billing-address/6516f14419a81")
