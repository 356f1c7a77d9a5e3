"""The headless REST flow of rest-management.mdx, as plain HTTP against the sandbox."""

from __future__ import annotations

from decimal import Decimal

from gateway.sandbox import SandboxServer
from tests.sandbox.sandbox_client import ADDRESS, Client, card


async def test_guest_pays_with_card_and_order_awaits_fulfillment(
    client: Client, sandbox: SandboxServer
) -> None:
    cart = await client.create_cart(customer_id=0, quantity=2)
    assert set(cart["redirect_urls"]) == {"cart_url", "checkout_url", "embedded_checkout_url"}
    item = cart["line_items"]["physical_items"][0]
    assert (item["product_id"], item["variant_id"], item["list_price"]) == (111, 211, 24.95)
    cid = cart["id"]

    urls = await client.call("POST", f"/v3/carts/{cid}/redirect_urls", {})
    assert urls.status == 201 and "checkout_url" in urls.data

    billing = await client.call("POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
    assert billing.status == 200
    assert isinstance(billing.data["billing_address"]["id"], str)

    # The guide posts the deprecated `shipping_address` name; the sandbox accepts both.
    added = await client.call(
        "POST",
        f"/v3/checkouts/{cid}/consignments?include=consignments.available_shipping_options",
        [{"shipping_address": ADDRESS, "line_items": [{"item_id": item["id"], "quantity": 2}]}],
    )
    con = added.data["consignments"][0]
    options = con["available_shipping_options"]
    assert len(options) >= 2
    flat = next(o for o in options if o["cost"] == 5)
    chosen = await client.call(
        "PUT", f"/v3/checkouts/{cid}/consignments/{con['id']}", {"shipping_option_id": flat["id"]}
    )
    checkout = chosen.data
    assert checkout["consignments"][0]["selected_shipping_option"]["id"] == flat["id"]
    # 2 x 24.95 = 49.90; shipping 5.00; Texas 8.25% on both: 4.12 + 0.41.
    assert checkout["subtotal_ex_tax"] == 49.9
    assert checkout["shipping_cost_total_ex_tax"] == 5
    assert checkout["tax_total"] == 4.53
    assert checkout["grand_total"] == 59.43

    created = await client.call("POST", f"/v3/checkouts/{cid}/orders")
    order_id = created.data["id"]
    assert isinstance(order_id, int) and order_id >= 100
    after = await client.call("GET", f"/v3/checkouts/{cid}")
    assert after.data["order_id"] == str(order_id)
    order = (await client.call("GET", f"/v2/orders/{order_id}")).json()
    assert (order["status_id"], order["status"]) == (0, "Incomplete")
    assert order["total_inc_tax"] == "59.4300"

    methods = await client.call("GET", f"/v3/payments/methods?order_id={order_id}")
    by_id = {m["id"]: m for m in methods.data}
    assert by_id["braintree.card"]["type"] == "card" and by_id["braintree.card"]["test_mode"]
    assert by_id["braintree.paypal"]["type"] == "paypal"
    assert all(m["stored_instruments"] == [] for m in methods.data)  # a guest has none

    paid = await client.pay(order_id, card("4242424242424242"))
    assert paid.status == 201, paid.text
    assert paid.json()["data"]["status"] == "success"
    assert "meta" not in paid.json()

    order = (await client.call("GET", f"/v2/orders/{order_id}")).json()
    assert (order["status_id"], order["status"]) == (11, "Awaiting Fulfillment")
    assert order["payment_status"] == "captured"
    transactions = (await client.call("GET", f"/v3/orders/{order_id}/transactions")).data
    assert len(transactions) == 1
    assert Decimal(str(transactions[0]["amount"])) == Decimal(order["total_inc_tax"])
    assert transactions[0]["credit_card"]["card_last4"] == "4242"
    assert sandbox.state.orders[order_id].status_id == 11
    # BigCommerce deletes the cart once its order is paid.
    gone = await client.call("GET", f"/v3/checkouts/{cid}")
    assert gone.status == 404


async def test_customer_pays_with_stored_card(client: Client) -> None:
    order_id = await client.order(customer_id=1)
    methods = (await client.call("GET", f"/v3/payments/methods?order_id={order_id}")).data
    card_method = next(m for m in methods if m["id"] == "braintree.card")
    stored = card_method["stored_instruments"]
    assert [(s["brand"], s["last_4"]) for s in stored] == [("VISA", "1111")]
    assert len(stored[0]["token"]) == 64
    supported = {i["instrument_type"]: i for i in card_method["supported_instruments"]}
    assert supported["STORED_CARD"]["verification_value_required"] is True
    assert {"VISA", "MASTERCARD", "AMEX", "DISCOVER"} <= set(supported)
    paypal = next(m for m in methods if m["id"] == "braintree.paypal")["stored_instruments"]
    assert paypal[0]["type"] == "stored_paypal_account" and len(paypal[0]["token"]) == 64

    instrument = {"type": "stored_card", "token": stored[0]["token"], "verification_value": "123"}
    paid = await client.pay(order_id, instrument)
    assert paid.status == 201, paid.text
    order = (await client.call("GET", f"/v2/orders/{order_id}")).json()
    assert order["status_id"] == 11


async def test_customer_pays_with_stored_paypal(client: Client) -> None:
    order_id = await client.order(customer_id=1)
    methods = (await client.call("GET", f"/v3/payments/methods?order_id={order_id}")).data
    token = next(m for m in methods if m["id"] == "braintree.paypal")["stored_instruments"][0][
        "token"
    ]
    paid = await client.pay(
        order_id, {"type": "stored_paypal_account", "token": token}, "braintree.paypal"
    )
    assert paid.status == 201, paid.text
    transactions = (await client.call("GET", f"/v3/orders/{order_id}/transactions")).data
    assert transactions[0]["method"] == "electronic_wallet"


async def test_checkout_id_lists_customer_instruments(client: Client) -> None:
    cart = await client.create_cart(customer_id=1)
    methods = (await client.call("GET", f"/v3/payments/methods?checkout_id={cart['id']}")).data
    assert any(m["stored_instruments"] for m in methods)


async def test_saved_card_is_vaulted_masked_for_the_customer(
    client: Client, sandbox: SandboxServer
) -> None:
    order_id = await client.order(customer_id=1)
    paid = await client.pay(order_id, card("5555555555554444"), save=True)
    assert paid.status == 201, paid.text
    next_order = await client.order(customer_id=1)
    methods = (await client.call("GET", f"/v3/payments/methods?order_id={next_order}")).data
    stored = next(m for m in methods if m["id"] == "braintree.card")["stored_instruments"]
    saved = next(s for s in stored if s["last_4"] == "4444" and s["brand"] == "MASTERCARD")
    assert saved["issuer_identification_number"] == "555555"
    # The vault keeps only masked facts; the full number is nowhere in the state or the record.
    assert "5555555555554444" not in repr(sandbox.state.__dict__)
    assert all(b"5555555555554444" not in r.body for r in sandbox.requests)
    assert all(b'"123"' not in r.body for r in sandbox.requests if r.host == "payments")


async def test_amex_with_four_digit_cvv_approves(client: Client) -> None:
    order_id = await client.order()
    paid = await client.pay(order_id, card("378282246310005", cvv="1234"))
    assert paid.status == 201, paid.text


async def test_money_is_consistent_across_checkout_order_and_transactions(client: Client) -> None:
    cid, checkout = await client.ready_checkout(customer_id=1)
    order_id = (await client.call("POST", f"/v3/checkouts/{cid}/orders")).data["id"]
    order = (await client.call("GET", f"/v2/orders/{order_id}")).json()
    assert Decimal(order["total_inc_tax"]) == Decimal(str(checkout["grand_total"]))
    assert Decimal(order["subtotal_ex_tax"]) == Decimal(str(checkout["subtotal_ex_tax"]))
    assert Decimal(order["total_tax"]) == Decimal(str(checkout["tax_total"]))
    assert Decimal(order["shipping_cost_ex_tax"]) == Decimal(
        str(checkout["shipping_cost_total_ex_tax"])
    )
    await client.pay(order_id, card())
    amount = (await client.call("GET", f"/v3/orders/{order_id}/transactions")).data[0]["amount"]
    assert Decimal(str(amount)) == Decimal(order["total_inc_tax"])
