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


async def checkout_ready_to_order(
    gateway: Any, customer_id: int | None = None, quantity: int = 2
) -> dict[str, Any]:
    """CreateCart, AddBillingAddress, AddConsignment, SelectShippingOption; the checkout."""
    cart_input: dict[str, Any] = {
        "lineItems": [{"productId": 111, "quantity": quantity}],
        "currencyCode": "USD",
    }
    if customer_id is not None:
        cart_input["customerId"] = customer_id
    created = no_errors(
        (await gateway.run("CreateCart", {"input": cart_input}))["data"]["createCart"]
    )
    cart = created["cart"]
    checkout_id = cart["id"]
    billing = await gateway.run(
        "AddBillingAddress", {"input": {"checkoutId": checkout_id, "address": US_ADDRESS}}
    )
    no_errors(billing["data"]["addBillingAddress"])
    address = {k: v for k, v in US_ADDRESS.items() if k != "phone"}
    consigned = await gateway.run(
        "AddConsignment",
        {
            "input": {
                "checkoutId": checkout_id,
                "address": address,
                "lineItems": [{"itemId": cart["lineItems"][0]["id"], "quantity": quantity}],
            }
        },
    )
    checkout = no_errors(consigned["data"]["addConsignment"])["checkout"]
    consignment = checkout["consignments"][0]
    option = consignment["availableShippingOptions"][0]
    selected = await gateway.run(
        "SelectShippingOption",
        {
            "input": {
                "checkoutId": checkout_id,
                "consignmentId": consignment["id"],
                "shippingOptionId": option["id"],
            }
        },
    )
    return no_errors(selected["data"]["selectShippingOption"])["checkout"]  # type: ignore[no-any-return]


async def unpaid_order(gateway: Any, customer_id: int | None = None) -> dict[str, Any]:
    checkout = await checkout_ready_to_order(gateway, customer_id)
    created = await gateway.run(
        "CreateOrder",
        {"input": {"checkoutId": checkout["id"], "idempotencyKey": f"order-{uuid.uuid4()}"}},
    )
    return no_errors(created["data"]["createOrder"])["order"]  # type: ignore[no-any-return]


async def pay_by_card(
    gateway: Any, order_id: str, card: dict[str, Any] | None = None, key: str | None = None
) -> dict[str, Any]:
    answer = await gateway.run(
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
    )
    return answer["data"]["payWithCard"]  # type: ignore[no-any-return]


# The cart-editing and confirmation operations (gateway/operations/cart-and-orders.graphql)
# use checkout-flow.graphql's fragments: they are sent together, as one document.
_OPERATIONS = Path(__file__).resolve().parent.parent / "gateway" / "operations"
EDITING_DOCUMENT = "\n".join(
    (_OPERATIONS / name).read_text()
    for name in ("checkout-flow.graphql", "cart-and-orders.graphql")
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
