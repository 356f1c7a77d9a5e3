"""The signed-in flow over HTTP (CONTRACT §1a): sign in, a cart of one's own, pay with a
stored card; adopt a guest cart; sign out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tests.flow import (
    EMAILS,
    MINTED_TOKENS,
    SANDBOX_PASSWORD,
    checkout_ready_to_order,
    no_errors,
    shopper_headers,
    sign_in,
)


async def test_sign_in_answers_the_token_in_the_body_and_the_header(gateway) -> None:
    body = {
        "query": gateway.ops.document,
        "operationName": "SignIn",
        "variables": {"input": {"email": EMAILS[1], "password": SANDBOX_PASSWORD}},
    }
    async with gateway.http.post(f"{gateway.url}/graphql", json=body) as resp:
        assert resp.status == 200
        header = resp.headers["X-Shopper-Token"]
        assert resp.headers["Cache-Control"] == "no-store"
        answer = await resp.json()
    payload = no_errors(answer["data"]["signIn"])
    MINTED_TOKENS.append(payload["token"])
    assert payload["token"] == header
    assert payload["shopper"] == {
        "customerId": 1,
        "email": "jane@example.com",
        "firstName": "Jane",
        "lastName": "Doe",
    }
    expires = datetime.fromisoformat(payload["expiresAt"].replace("Z", "+00:00"))
    left = (expires - datetime.now(UTC)).total_seconds()
    assert 3500 < left <= 3600  # GATEWAY_SHOPPER_TOKEN_TTL_S's default


async def test_a_signed_in_shopper_pays_their_order_with_a_stored_card(gateway) -> None:
    token = await sign_in(gateway, 1)
    headers = shopper_headers(token)
    checkout = await checkout_ready_to_order(gateway, token)
    assert gateway.sandbox.state.carts[checkout["id"]].customer_id == 1  # from the token only
    created = await gateway.run(
        "CreateOrder",
        {"input": {"checkoutId": checkout["id"], "idempotencyKey": f"order-{uuid.uuid4()}"}},
        headers,
    )
    order = no_errors(created["data"]["createOrder"])["order"]
    assert gateway.sandbox.state.orders[order["number"]].customer_id == 1

    answer = await gateway.run("PaymentMethods", {"orderId": order["id"]}, headers)
    assert "errors" not in answer
    data = answer["data"]
    assert {m["id"] for m in data["paymentMethods"]} >= {"braintree.card", "braintree.paypal"}
    assert all("storedInstruments" not in m for m in data["paymentMethods"])
    instruments = data["shopper"]["storedInstruments"]
    card = next(i for i in instruments if i["__typename"] == "StoredCard")
    paypal = next(i for i in instruments if i["__typename"] == "StoredPayPalAccount")
    assert (card["last4"], card["paymentMethodId"]) == ("1111", "braintree.card")
    assert paypal["paymentMethodId"] == "braintree.paypal" and "@" in paypal["email"]

    paid = await gateway.run(
        "PayWithStoredCard",
        {
            "input": {
                "orderId": order["id"],
                "paymentMethodId": card["paymentMethodId"],
                "token": card["token"],
                "verificationValue": "123",
                "idempotencyKey": f"pay-{uuid.uuid4()}",
            }
        },
        headers,
    )
    result = no_errors(paid["data"]["payWithStoredCard"])
    assert result["payment"]["status"] == "SUCCESS"
    assert result["order"]["statusId"] == 11
    read = await gateway.run("Order", {"id": order["id"]}, headers)
    assert read["data"]["order"]["statusId"] == 11


async def test_the_shopper_query_shows_the_wallet(gateway) -> None:
    assert (await gateway.run("Shopper"))["data"]["shopper"] is None  # a guest
    token = await sign_in(gateway, 1)
    shopper = (await gateway.run("Shopper", {}, shopper_headers(token)))["data"]["shopper"]
    assert (shopper["customerId"], shopper["email"]) == (1, "jane@example.com")
    kinds = sorted(i["__typename"] for i in shopper["storedInstruments"])
    assert kinds == ["StoredCard", "StoredPayPalAccount"]
    card = next(i for i in shopper["storedInstruments"] if i["__typename"] == "StoredCard")
    assert card["last4"] == "1111"

    john = await sign_in(gateway, 2)
    shopper = (await gateway.run("Shopper", {}, shopper_headers(john)))["data"]["shopper"]
    assert shopper["customerId"] == 2 and shopper["storedInstruments"] == []


async def _guest_cart(gateway: Any) -> str:
    created = await gateway.run(
        "CreateCart", {"input": {"lineItems": [{"productId": 118, "quantity": 1}]}}
    )
    cart = no_errors(created["data"]["createCart"])["cart"]
    assert gateway.sandbox.state.carts[cart["id"]].customer_id == 0
    return str(cart["id"])


async def _sign_in_with_cart(gateway: Any, customer_id: int, cart_id: str) -> dict[str, Any]:
    variables = {
        "input": {"email": EMAILS[customer_id], "password": SANDBOX_PASSWORD, "cartId": cart_id}
    }
    query = (
        "mutation($input: SignInInput!) "
        "{ signIn(input: $input) { token cartAssigned errors { code } } }"
    )
    status, answer = await gateway.post({"query": query, "variables": variables})
    assert status == 200
    payload = no_errors(answer["data"]["signIn"])
    MINTED_TOKENS.append(payload["token"])
    return payload


async def test_signing_in_with_a_guest_cart_makes_it_the_shoppers(gateway) -> None:
    cart_id = await _guest_cart(gateway)
    payload = await _sign_in_with_cart(gateway, 1, cart_id)
    assert payload["cartAssigned"] is True
    assert gateway.sandbox.state.carts[cart_id].customer_id == 1
    mine = await gateway.run("Checkout", {"id": cart_id}, shopper_headers(payload["token"]))
    assert mine["data"]["checkout"]["id"] == cart_id
    as_guest = await gateway.run("Checkout", {"id": cart_id})
    assert as_guest["errors"][0]["extensions"]["code"] == "NOT_FOUND"  # no longer a guest's


async def test_a_customers_cart_or_an_unknown_one_is_left_as_it_is(gateway) -> None:
    cart_id = await _guest_cart(gateway)
    await _sign_in_with_cart(gateway, 1, cart_id)
    johns = await _sign_in_with_cart(gateway, 2, cart_id)
    assert johns["cartAssigned"] is False
    assert gateway.sandbox.state.carts[cart_id].customer_id == 1
    unknown = await _sign_in_with_cart(gateway, 2, str(uuid.uuid4()))
    assert unknown["cartAssigned"] is False and unknown["token"]


async def test_sign_out_revokes_the_token(gateway) -> None:
    token = await sign_in(gateway, 1)
    headers = shopper_headers(token)
    signed_out = await gateway.run("SignOut", {}, headers)
    assert no_errors(signed_out["data"]["signOut"]) == {"errors": []}
    status, answer = await gateway.post(
        {"query": gateway.ops.document, "operationName": "Shopper"}, headers
    )
    assert status == 401
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert answer.get("data") is None
    # A guest signing out has nothing to revoke.
    assert no_errors((await gateway.run("SignOut"))["data"]["signOut"]) == {"errors": []}
