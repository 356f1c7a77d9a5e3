"""Shopper identity on the sandbox, as plain HTTP: sign-in checks, customers, stored
instruments and a guest cart becoming a customer's (CONTRACT.md §4)."""

from __future__ import annotations

import pytest

from gateway.sandbox import SandboxServer
from tests.sandbox.sandbox_client import Client, card

PASSWORD = "sandbox-password"  # CONTRACT.md §4: the published sandbox password
VALIDATE = "/v3/customers/validate-credentials"


@pytest.mark.parametrize(
    ("email", "customer_id"), [("jane@example.com", 1), ("john@example.com", 2)]
)
async def test_published_customers_sign_in(client: Client, email: str, customer_id: int) -> None:
    reply = await client.call("POST", VALIDATE, {"email": email, "password": PASSWORD})
    assert reply.status == 200
    assert reply.json() == {"is_valid": True, "customer_id": customer_id}
    on_channel = await client.call(
        "POST", VALIDATE, {"email": email.upper(), "password": PASSWORD, "channel_id": 1}
    )
    assert on_channel.json() == {"is_valid": True, "customer_id": customer_id}


@pytest.mark.parametrize(
    "body",
    [
        {"email": "jane@example.com", "password": "Sandbox-password"},
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": "jane@example.com", "password": PASSWORD, "channel_id": 2},
    ],
    ids=["wrong-password", "unknown-email", "other-channel"],
)
async def test_failed_sign_in_is_one_answer(client: Client, body: dict[str, object]) -> None:
    reply = await client.call("POST", VALIDATE, body)
    assert reply.status == 200
    assert reply.json() == {"is_valid": False, "customer_id": None}


async def test_missing_field_is_422_and_passwords_are_masked_in_the_record(
    client: Client, sandbox: SandboxServer
) -> None:
    reply = await client.call("POST", VALIDATE, {"password": PASSWORD}, validate_body=False)
    assert reply.status == 422 and "email" in reply.json()["errors"]
    await client.call("POST", VALIDATE, {"email": "jane@example.com", "password": PASSWORD})
    recorded = [r for r in sandbox.requests if r.path.endswith("/validate-credentials")]
    assert len(recorded) == 2
    assert all(PASSWORD.encode() not in r.body for r in recorded)
    assert recorded[1].json()["password"] == "*" * len(PASSWORD)


async def test_get_customers_filters(client: Client) -> None:
    both = (await client.call("GET", "/v3/customers?id:in=1,2")).json()
    assert [c["email"] for c in both["data"]] == ["jane@example.com", "john@example.com"]
    assert both["meta"]["pagination"]["total"] == 2
    by_email = (await client.call("GET", "/v3/customers?email:in=JOHN@example.com")).data
    assert [(c["id"], c["first_name"]) for c in by_email] == [(2, "John")]
    none = (await client.call("GET", "/v3/customers?email:in=nobody@example.com")).data
    assert none == []
    paged = (await client.call("GET", "/v3/customers?limit=1&page=2")).json()
    assert [c["id"] for c in paged["data"]] == [2] and "cursor_pagination" not in paged["meta"]
    unsupported = await client.call("GET", "/v3/customers?phone:in=555")
    assert unsupported.status == 422 and "phone:in" in unsupported.json()["errors"]


async def test_stored_instruments_per_customer(client: Client) -> None:
    jane = (await client.call("GET", "/v3/customers/1/stored-instruments")).json()
    card_ = next(i for i in jane if i["type"] == "stored_card")
    assert (card_["brand"], card_["last_4"]) == ("VISA", "1111")
    paypal = next(i for i in jane if i["type"] == "stored_paypal_account")
    assert paypal["email"] == "jane@example.com"
    # The same tokens as payment methods list for one of Jane's orders.
    order_id = await client.order(customer_id=1)
    methods = (await client.call("GET", f"/v3/payments/methods?order_id={order_id}")).data
    listed = {i["token"] for m in methods for i in m["stored_instruments"]}
    assert {i["token"] for i in jane} == listed
    assert (await client.call("GET", "/v3/customers/2/stored-instruments")).json() == []


async def test_guest_cart_becomes_the_customers_and_pays_with_her_card(client: Client) -> None:
    cid, checkout = await client.ready_checkout(customer_id=0)
    before = await client.call("GET", f"/v3/payments/methods?checkout_id={cid}")
    assert all(m["stored_instruments"] == [] for m in before.data)
    reply = await client.call(
        "PUT",
        f"/v3/carts/{cid}?include=redirect_urls",
        {"customer_id": 1, "version": checkout["version"]},
    )
    assert reply.status == 201, reply.text
    cart = reply.data
    assert (cart["customer_id"], cart["email"]) == (1, "jane@example.com")
    assert cart["version"] > checkout["version"] and "checkout_url" in cart["redirect_urls"]
    stale = await client.call(
        "PUT", f"/v3/carts/{cid}", {"customer_id": 2, "version": checkout["version"]}
    )
    assert stale.status == 409
    unknown = await client.call("PUT", f"/v3/carts/{cid}", {"customer_id": 999})
    assert unknown.status == 422 and "customer_id" in unknown.json()["errors"]

    # A new customer drops the shipping choice (carts.v3.yml); choose again, then pay.
    after = (
        await client.call(
            "GET", f"/v3/checkouts/{cid}?include=consignments.available_shipping_options"
        )
    ).data
    consignment = after["consignments"][0]
    assert "selected_shipping_option" not in consignment
    option = consignment["available_shipping_options"][0]["id"]
    await client.call(
        "PUT",
        f"/v3/checkouts/{cid}/consignments/{consignment['id']}",
        {"shipping_option_id": option},
    )
    order_id = (await client.call("POST", f"/v3/checkouts/{cid}/orders")).data["id"]
    token = (await client.call("GET", "/v3/customers/1/stored-instruments")).json()[0]["token"]
    paid = await client.pay(
        order_id, {"type": "stored_card", "token": token, "verification_value": "123"}
    )
    assert paid.status == 201, paid.text


async def test_carts_created_with_customer_id_still_work(client: Client) -> None:
    order_id = await client.order(customer_id=2)
    order = (await client.call("GET", f"/v2/orders/{order_id}")).json()
    assert order["customer_id"] == 2
    assert (await client.pay(order_id, card())).status == 201
