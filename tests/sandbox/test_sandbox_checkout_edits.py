"""A storefront's whole route over plain HTTP: edit the cart, coupons, split shipping, a note,
the order and its details, the customer's order list. Every exchange is checked against the
official files by the client; every total is worked out here from the store's published
prices and tax rates (README, sandbox section), not by the sandbox's code."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.sandbox.sandbox_client import ADDRESS, Client

PRICES = {111: Decimal("24.95"), 118: Decimal("34.50"), 123: Decimal("8.75"), 130: Decimal("6.45")}
RATES = {"TX": Decimal("0.0825"), "CA": Decimal("0.0725")}
FLAT, EXPRESS = Decimal("5.00"), Decimal("15.00")
CALIFORNIA = {**ADDRESS, "first_name": "Sam", "city": "Los Angeles", "address1": "1 Ocean Ave",
              "state_or_province": "California", "state_or_province_code": "CA",
              "postal_code": "90001"}  # fmt: skip


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def num(value: Any) -> Decimal:
    return cents(Decimal(str(value)))


def lines_of(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {line["product_id"]: line for line in body["line_items"]["physical_items"]}


async def _ok(client: Client, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    reply = await client.call(method, path, body)
    assert reply.status == status, reply.text
    return reply.data


async def test_storefront_route_edits_cart_coupons_split_shipping_and_reads_the_order(
    client: Client,
) -> None:
    # 1. Three lines; change one quantity, remove one, add one.
    body = {"customer_id": 1, "line_items": [{"product_id": 111, "quantity": 1},
            {"product_id": 118, "quantity": 2}, {"product_id": 123, "quantity": 3}]}  # fmt: skip
    cart = await _ok(client, "POST", "/v3/carts", body, status=201)
    cid = cart["id"]
    lines = lines_of(cart)
    assert {p: num(line["list_price"]) for p, line in lines.items()} == {
        p: PRICES[p] for p in (111, 118, 123)
    }
    items = f"/v3/carts/{cid}/items"
    change = {"line_item": {"product_id": 123, "quantity": 1}, "version": cart["version"]}
    cart = await _ok(client, "PUT", f"{items}/{lines[123]['id']}", change)
    assert lines_of(cart)[123]["quantity"] == 1
    cart = await _ok(client, "DELETE", f"{items}/{lines[118]['id']}", {"version": cart["version"]})
    assert set(lines_of(cart)) == {111, 123}
    add = {"line_items": [{"product_id": 130, "quantity": 2}], "version": cart["version"]}
    cart = await _ok(client, "POST", items, add, status=201)
    quantities = {p: line["quantity"] for p, line in lines_of(cart).items()}
    assert quantities == {111: 1, 123: 1, 130: 2}
    extended = {p: PRICES[p] * q for p, q in quantities.items()}
    assert num(cart["base_amount"]) == sum(extended.values())

    # 2. SAVE10; EXPIRED2020 is refused; remove SAVE10 and apply it again.
    coupons = f"/v3/checkouts/{cid}/coupons"
    checkout = await _ok(client, "POST", coupons, {"coupon_code": "SAVE10"})
    expired = await client.call("POST", coupons, {"coupon_code": "EXPIRED2020"})
    assert expired.status == 400 and "expired" in expired.json()["detail"]
    checkout = await _ok(client, "DELETE", f"{coupons}/SAVE10", {"version": checkout["version"]})
    assert checkout["coupons"] == [] and num(checkout["grand_total"]) == sum(extended.values())
    checkout = await _ok(client, "POST", coupons, {"coupon_code": "save10"})  # any case
    off = {p: cents(e / 10) for p, e in extended.items()}  # 10% of each line, to the cent
    assert [(c["code"], num(c["discounted_amount"])) for c in checkout["coupons"]] == [
        ("SAVE10", sum(off.values()))
    ]
    assert {p: num(line["coupon_amount"]) for p, line in lines_of(checkout["cart"]).items()} == off

    # 3. Two consignments to two states, an option selected on each.
    ids = {p: line["id"] for p, line in lines_of(checkout["cart"]).items()}
    texas, california = [111, 130], [123]
    checkout = await _ok(
        client,
        "POST",
        f"/v3/checkouts/{cid}/consignments?include=consignments.available_shipping_options",
        [
            {"address": ADDRESS, "line_items": [{"item_id": ids[p], "quantity": quantities[p]}
                                                for p in texas]},
            {"address": CALIFORNIA, "line_items": [{"item_id": ids[123], "quantity": 1}]},
        ],
    )  # fmt: skip
    tx_con, ca_con = checkout["consignments"]
    for con, cost in ((tx_con, EXPRESS), (ca_con, FLAT)):
        option = next(o for o in con["available_shipping_options"] if num(o["cost"]) == cost)
        checkout = await _ok(
            client,
            "PUT",
            f"/v3/checkouts/{cid}/consignments/{con['id']}",
            {"shipping_option_id": option["id"], "version": checkout["version"]},
        )
    selected = [num(c["selected_shipping_option"]["cost"]) for c in checkout["consignments"]]
    assert selected == [EXPRESS, FLAT]

    # 4. A note for the merchant.
    note = "Please ring twice.\nThank you!"
    checkout = await _ok(client, "PUT", f"/v3/checkouts/{cid}", {"customer_message": note})
    assert checkout["customer_message"] == note

    # Totals, to the cent: coupons off first, then each state's tax on what is left.
    subtotal = sum(extended.values())
    discount = sum(off.values())
    items_tax = {
        "TX": cents(sum(extended[p] - off[p] for p in texas) * RATES["TX"]),
        "CA": cents(sum(extended[p] - off[p] for p in california) * RATES["CA"]),
    }
    shipping_tax = {"TX": cents(EXPRESS * RATES["TX"]), "CA": cents(FLAT * RATES["CA"])}
    tax = sum(items_tax.values()) + sum(shipping_tax.values())
    grand = subtotal - discount + EXPRESS + FLAT + tax
    assert num(checkout["subtotal_ex_tax"]) == subtotal
    assert num(checkout["cart"]["cart_amount_ex_tax"]) == subtotal - discount
    assert num(checkout["shipping_cost_total_ex_tax"]) == EXPRESS + FLAT
    assert num(checkout["tax_total"]) == tax
    assert num(checkout["grand_total"]) == grand
    assert {t["name"]: num(t["amount"]) for t in checkout["taxes"]} == {
        "Texas Tax": items_tax["TX"] + shipping_tax["TX"],
        "California Tax": items_tax["CA"] + shipping_tax["CA"],
    }

    # 5. The order and what it shows.
    await _ok(client, "POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
    order_id = (await _ok(client, "POST", f"/v3/checkouts/{cid}/orders"))["id"]
    order = (await client.call("GET", f"/v2/orders/{order_id}")).json()
    four = "{:.4f}".format
    assert order["customer_message"] == note and order["customer_id"] == 1
    assert order["subtotal_ex_tax"] == four(subtotal)
    assert order["coupon_discount"] == four(discount)
    assert order["shipping_cost_ex_tax"] == four(EXPRESS + FLAT)
    assert order["total_tax"] == four(tax)
    assert order["total_inc_tax"] == four(grand)
    assert order["billing_address"]["street_1"] == ADDRESS["address1"]
    assert order["date_created"].endswith("+0000")  # RFC 2822
    products = (await client.call("GET", f"/v2/orders/{order_id}/products")).json()
    assert [(p["product_id"], p["quantity"], p["base_price"]) for p in products] == [
        (p, quantities[p], four(PRICES[p])) for p in (111, 123, 130)
    ]
    shipped = (await client.call("GET", f"/v2/orders/{order_id}/shipping_addresses")).json()
    assert [(a["state"], a["items_total"], a["cost_ex_tax"]) for a in shipped] == [
        ("Texas", 3, four(EXPRESS)),
        ("California", 1, four(FLAT)),
    ]
    by_address = {a["id"]: a["state"] for a in shipped}
    assert {p["product_id"]: by_address[p["order_address_id"]] for p in products} == {
        111: "Texas",
        130: "Texas",
        123: "California",
    }

    # 6. The customer's orders, newest first.
    listed = (await client.call("GET", "/v2/orders?customer_id=1&sort=date_created:desc")).json()
    assert listed[0]["id"] == order_id
    assert all(o["customer_id"] == 1 for o in listed)
    assert [o["id"] for o in listed] == sorted((o["id"] for o in listed), reverse=True)


async def test_free_shipping_makes_every_consignment_free_and_untaxed(client: Client) -> None:
    cid, checkout = await client.ready_checkout()
    assert num(checkout["shipping_cost_total_ex_tax"]) == FLAT
    checkout = await _ok(
        client, "POST", f"/v3/checkouts/{cid}/coupons", {"coupon_code": "FREESHIP"}
    )
    con = checkout["consignments"][0]
    assert con["coupon_discounts"] == [{"code": "FREESHIP", "amount": 5}]
    assert (
        num(con["shipping_cost_ex_tax"]) == 0 and num(checkout["shipping_cost_total_ex_tax"]) == 0
    )
    items = PRICES[111] * 2
    assert num(checkout["tax_total"]) == cents(items * RATES["TX"])
    assert num(checkout["grand_total"]) == items + cents(items * RATES["TX"])
    assert [(c["code"], num(c["discounted_amount"])) for c in checkout["coupons"]] == [
        ("FREESHIP", FLAT)
    ]


async def test_a_removed_line_leaves_its_consignment(client: Client) -> None:
    cid, checkout = await client.ready_checkout()
    con = checkout["consignments"][0]
    add = {"line_items": [{"product_id": 123, "quantity": 1}]}
    cart = await _ok(client, "POST", f"/v3/carts/{cid}/items", add, status=201)
    notebook = lines_of(cart)[123]["id"]
    moved = await _ok(
        client,
        "PUT",
        f"/v3/checkouts/{cid}/consignments/{con['id']}",
        {"line_items": [{"item_id": i, "quantity": 1} for i in (*con["line_item_ids"], notebook)]},
    )
    assert "selected_shipping_option" not in moved["consignments"][0]  # new lines, no option
    await _ok(client, "DELETE", f"/v3/carts/{cid}/items/{notebook}")
    after = await _ok(client, "GET", f"/v3/checkouts/{cid}")
    assert after["consignments"][0]["line_item_ids"] == con["line_item_ids"]
    mug = con["line_item_ids"][0]
    gone = await client.call("DELETE", f"/v3/carts/{cid}/items/{mug}")
    assert gone.status == 204 and gone.text == ""  # the last line takes the cart with it
    assert (await client.call("GET", f"/v3/checkouts/{cid}")).status == 404


async def test_bad_input_answers_as_bigcommerce_does(client: Client) -> None:
    cart = await _ok(
        client, "POST", "/v3/carts", {"line_items": [{"product_id": 111, "quantity": 1}]}, 201
    )
    cid, line = cart["id"], cart["line_items"]["physical_items"][0]["id"]
    cases: list[tuple[str, str, Any, int, str]] = [
        ("PUT", f"/v3/carts/{cid}/items/{line}",
         {"line_item": {"product_id": 111, "quantity": -1}}, 422, "line_item.quantity"),
        ("POST", f"/v3/carts/{cid}/items",
         {"line_items": [{"product_id": 111, "quantity": -3}]}, 422, "line_items.0.quantity"),
        ("PUT", f"/v3/carts/{cid}/items/not-a-line",
         {"line_item": {"product_id": 111, "quantity": 1}}, 404, ""),
        ("DELETE", f"/v3/carts/{cid}/items/not-a-line", None, 404, ""),
        ("POST", f"/v3/checkouts/{cid}/coupons", {"coupon_code": "S" * 10_000}, 422, "coupon_code"),
        ("POST", f"/v3/checkouts/{cid}/coupons", {"coupon_code": "NOT-A-CODE"}, 400, ""),
        ("PUT", f"/v3/checkouts/{cid}", {"customer_message": "bell\x07"}, 422, "customer_message"),
        ("PUT", f"/v3/checkouts/{cid}", {"customer_message": "\u202e" + "x" * 2000}, 422,
         "customer_message"),
    ]  # fmt: skip
    for method, path, body, status, field in cases:
        reply = await client.call(method, path, body)
        assert reply.status == status, (path, reply.text)
        error = reply.json()
        assert {"status", "title", "type"} <= set(error)
        if field:
            assert field in error["errors"], error
    # Nothing above changed the cart.
    after = await _ok(client, "GET", f"/v3/checkouts/{cid}")
    assert after["version"] == cart["version"] and after["customer_message"] == ""
    assert after["coupons"] == []
