"""Drive the checkout flow through the gateway, one operation of the document at a time."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

US_ADDRESS = {
    "firstName": "Jane", "lastName": "Doe", "email": "jane@example.com",
    "address1": "123 Main Street", "city": "Austin", "stateOrProvince": "Texas",
    "stateOrProvinceCode": "TX", "countryCode": "US", "postalCode": "78701",
    "phone": "+15125550100",
}  # fmt: skip

GOOD_CARD = {
    "number": "4111111111111111",
    "cardholderName": "Jane Doe",
    "expiryMonth": 12,
    "expiryYear": 2030,
    "verificationValue": "123",
}


def no_errors(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["errors"] == [], payload["errors"]
    return payload


SANDBOX_PASSWORD = "sandbox-password"  # CONTRACT §4: customers 1 (jane) and 2 (john)
EMAILS = {1: "jane@example.com", 2: "john@example.com"}
# Every shopper token the tests were given or made: the final audit (tests/audit)
# proves none of them was written anywhere. Kept in memory only, never in a file.
MINTED_TOKENS: list[str] = []


def shopper_headers(token: str | None) -> dict[str, str] | None:
    """The headers of a signed-in shopper's requests (None: a guest's)."""
    return {"X-Shopper-Token": token} if token else None


async def run(
    gateway: Any, operation: str, variables: dict[str, Any], headers: dict[str, str] | None
) -> dict[str, Any]:
    """One operation; headers only when there are some (not every driver takes them)."""
    if headers is None:
        return await gateway.run(operation, variables)  # type: ignore[no-any-return]
    return await gateway.run(operation, variables, headers)  # type: ignore[no-any-return]


async def sign_in(gateway: Any, customer_id: int = 1, cart_id: str | None = None) -> str:
    """SignIn as a sandbox customer; the token (also checked against the response header)."""
    variables = {
        "input": {"email": EMAILS[customer_id], "password": SANDBOX_PASSWORD, "cartId": cart_id}
    }
    payload = no_errors((await gateway.run("SignIn", variables))["data"]["signIn"])
    assert payload["shopper"]["customerId"] == customer_id
    MINTED_TOKENS.append(payload["token"])
    return str(payload["token"])


async def checkout_ready_to_order(
    gateway: Any, token: str | None = None, quantity: int = 2
) -> dict[str, Any]:
    """CreateCart, AddBillingAddress, AddConsignment, SelectShippingOption; the checkout.

    With ``token`` every step is the signed-in shopper's (the cart is theirs)."""
    headers = shopper_headers(token)
    cart_input: dict[str, Any] = {
        "lineItems": [{"productId": 111, "quantity": quantity}],
        "currencyCode": "USD",
    }
    created = no_errors(
        (await run(gateway, "CreateCart", {"input": cart_input}, headers))["data"]["createCart"]
    )
    cart = created["cart"]
    checkout_id = cart["id"]
    billing = await run(
        gateway,
        "AddBillingAddress",
        {"input": {"checkoutId": checkout_id, "address": US_ADDRESS}},
        headers,
    )
    no_errors(billing["data"]["addBillingAddress"])
    address = {k: v for k, v in US_ADDRESS.items() if k != "phone"}
    consigned = await run(
        gateway,
        "AddConsignment",
        {
            "input": {
                "checkoutId": checkout_id,
                "address": address,
                "lineItems": [{"itemId": cart["lineItems"][0]["id"], "quantity": quantity}],
            }
        },
        headers,
    )
    checkout = no_errors(consigned["data"]["addConsignment"])["checkout"]
    consignment = checkout["consignments"][0]
    option = consignment["availableShippingOptions"][0]
    selected = await run(
        gateway,
        "SelectShippingOption",
        {
            "input": {
                "checkoutId": checkout_id,
                "consignmentId": consignment["id"],
                "shippingOptionId": option["id"],
            }
        },
        headers,
    )
    return no_errors(selected["data"]["selectShippingOption"])["checkout"]  # type: ignore[no-any-return]


async def unpaid_order(gateway: Any, token: str | None = None) -> dict[str, Any]:
    checkout = await checkout_ready_to_order(gateway, token)
    created = await run(
        gateway,
        "CreateOrder",
        {"input": {"checkoutId": checkout["id"], "idempotencyKey": f"order-{uuid.uuid4()}"}},
        shopper_headers(token),
    )
    return no_errors(created["data"]["createOrder"])["order"]  # type: ignore[no-any-return]


async def pay_by_card(
    gateway: Any,
    order_id: str,
    card: dict[str, Any] | None = None,
    key: str | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    answer = await run(
        gateway,
        "PayWithCard",
        {
            "input": {
                "orderId": order_id,
                "paymentMethodId": "braintree.card",
                "card": card or GOOD_CARD,
                "saveInstrument": False,
                "idempotencyKey": key or f"pay-{uuid.uuid4()}",
            }
        },
        shopper_headers(token),
    )
    return answer["data"]["payWithCard"]  # type: ignore[no-any-return]


# The cart-editing and confirmation operations (gateway/operations/cart-and-orders.graphql)
# use checkout-flow.graphql's fragments: they are sent together, as one document.
_OPERATIONS = Path(__file__).resolve().parent.parent / "gateway" / "operations"
EDITING_DOCUMENT = "\n".join(
    (
        (_OPERATIONS / "checkout-flow.graphql").read_text(),
        (_OPERATIONS / "cart-and-orders.graphql").read_text(),
    )
)


async def run_edit(
    gateway: Any,
    operation: str,
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Send one operation of the cart-and-orders document; the JSON answer."""
    status, body = await gateway.post(
        {"query": EDITING_DOCUMENT, "operationName": operation, "variables": variables}, headers
    )
    assert status == 200, body
    return body  # type: ignore[no-any-return]
