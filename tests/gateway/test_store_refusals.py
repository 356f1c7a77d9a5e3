"""Every refusal the sandbox store can make on each mutation, seen as a client sees it.

Each row drives one refusal through the live gateway over HTTP: input the gateway's own
checks pass but the store refuses (countryCode "JP", state "Narnia", currency "EUR", an
unknown itemId, ...), or, where the gateway's checks always come first, the store's own
answer injected with the sandbox's fault API (bodies as the sandbox itself writes them).
Each answer must point at the client's input path, in the schema's camelCase names, with a
message in our words: no REST key, no dot path, no REST array index.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from gateway.sandbox import Fault
from gateway.sandbox.errors import payments_error, v3_error
from tests.flow import (
    GOOD_CARD,
    US_ADDRESS,
    checkout_ready_to_order,
    no_errors,
    pay_by_card,
    shopper_headers,
    sign_in,
    unpaid_order,
)

ADDRESS = {k: v for k, v in US_ADDRESS.items() if k != "phone"}
JAPAN = {**ADDRESS, "countryCode": "JP"}
NARNIA = {k: v for k, v in ADDRESS.items() if k != "stateOrProvinceCode"} | {
    "stateOrProvince": "Narnia"
}
# A Luhn-valid number of no brand the store knows: our checks pass it, the store does not.
NO_BRAND_CARD = {**GOOD_CARD, "number": "9000000000000001"}
PAYMENTS_PATH = r"/stores/[^/]+/payments"

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
DOTTED = re.compile(r"\b\w+\.\w+")
INDEX = re.compile(r"\b\d+\b")

Build = Callable[[Any], Awaitable[dict[str, Any]]]
# A built input may name the shopper token to send with it (stored instruments are theirs).
SHOPPER = "__shopper_token"


@dataclass(frozen=True)
class Refusal:
    name: str
    operation: str  # in the checkout-flow document
    build: Build  # sets the store up; returns the mutation's `input`
    code: str
    field: list[str] | None
    words: str  # the message says this (lower case)


async def new_cart(gateway: Any, quantity: int = 2) -> dict[str, Any]:
    answer = await gateway.run(
        "CreateCart",
        {"input": {"lineItems": [{"productId": 111, "quantity": quantity}], "currencyCode": "USD"}},
    )
    return no_errors(answer["data"]["createCart"])["cart"]  # type: ignore[no-any-return]


async def with_billing(gateway: Any) -> dict[str, Any]:
    cart = await new_cart(gateway)
    answer = await gateway.run(
        "AddBillingAddress", {"input": {"checkoutId": cart["id"], "address": US_ADDRESS}}
    )
    no_errors(answer["data"]["addBillingAddress"])
    return cart


async def with_consignment(gateway: Any) -> dict[str, Any]:
    cart = await with_billing(gateway)
    item = cart["lineItems"][0]
    answer = await gateway.run(
        "AddConsignment",
        {
            "input": {
                "checkoutId": cart["id"],
                "address": ADDRESS,
                "lineItems": [{"itemId": item["id"], "quantity": item["quantity"]}],
            }
        },
    )
    return no_errors(answer["data"]["addConsignment"])["checkout"]  # type: ignore[no-any-return]


def cart_input(*lines: dict[str, Any], **more: Any) -> Build:
    async def build(gateway: Any) -> dict[str, Any]:
        return {"lineItems": list(lines), **more}

    return build


def billing_input(address: dict[str, Any], *, again: bool = False) -> Build:
    async def build(gateway: Any) -> dict[str, Any]:
        cart = await (with_billing(gateway) if again else new_cart(gateway))
        return {"checkoutId": cart["id"], "address": address}

    return build


def consignment_input(
    address: dict[str, Any] = ADDRESS,
    item_id: str | None = None,
    quantity: int = 2,
    *,
    assigned: bool = False,
) -> Build:
    async def build(gateway: Any) -> dict[str, Any]:
        if assigned:
            checkout = await with_consignment(gateway)
            checkout_id, own = checkout["id"], checkout["cart"]["lineItems"][0]["id"]
        else:
            cart = await new_cart(gateway)
            checkout_id, own = cart["id"], cart["lineItems"][0]["id"]
        line = {"itemId": item_id or own, "quantity": quantity}
        return {"checkoutId": checkout_id, "address": address, "lineItems": [line]}

    return build


async def unknown_shipping_option(gateway: Any) -> dict[str, Any]:
    checkout = await with_consignment(gateway)
    return {
        "checkoutId": checkout["id"],
        "consignmentId": checkout["consignments"][0]["id"],
        "shippingOptionId": "0" * 32,
    }


def order_input(ready: Callable[[Any], Awaitable[dict[str, Any]]]) -> Build:
    async def build(gateway: Any) -> dict[str, Any]:
        checkout = await ready(gateway)
        return {"checkoutId": checkout["id"], "idempotencyKey": f"order-{uuid.uuid4()}"}

    return build


def order_refused_by_store(title: str) -> Build:
    """A checkout ready to order, and the store's own 422 on creating the order: what it
    answers when a step is missing, whatever the gateway checked before asking."""

    async def build(gateway: Any) -> dict[str, Any]:
        checkout = await checkout_ready_to_order(gateway)
        body = v3_error(422, title).body
        gateway.sandbox.faults.add(
            method="POST", path=r".*/v3/checkouts/[^/]+/orders", fault=Fault.status(422, body)
        )
        return {"checkoutId": checkout["id"]}

    return build


def card_payment(
    card: dict[str, Any] = GOOD_CARD, *, paid: bool = False, refusal: Any = None
) -> Build:
    async def build(gateway: Any) -> dict[str, Any]:
        order = await unpaid_order(gateway)
        if paid:
            no_errors(await pay_by_card(gateway, order["id"]))
        if refusal is not None:
            fault = Fault.status(refusal.status, refusal.body)
            gateway.sandbox.faults.add(method="POST", path=PAYMENTS_PATH, fault=fault)
        return {
            "orderId": order["id"],
            "paymentMethodId": "braintree.card",
            "card": card,
            "idempotencyKey": f"pay-{uuid.uuid4()}",
        }

    return build


def stored_payment(*, paid: bool = False, refusal: Any = None) -> Build:
    async def build(gateway: Any) -> dict[str, Any]:
        shopper = await sign_in(gateway, 1)
        order = await unpaid_order(gateway, shopper)
        answer = await gateway.run(
            "PaymentMethods", {"orderId": order["id"]}, shopper_headers(shopper)
        )
        instruments = answer["data"]["shopper"]["storedInstruments"]
        token = next(i["token"] for i in instruments if i["paymentMethodId"] == "braintree.card")
        if paid:
            no_errors(await pay_by_card(gateway, order["id"], token=shopper))
        if refusal is not None:
            fault = Fault.status(refusal.status, refusal.body)
            gateway.sandbox.faults.add(method="POST", path=PAYMENTS_PATH, fault=fault)
        return {
            "orderId": order["id"],
            "paymentMethodId": "braintree.card",
            "token": token,
            "verificationValue": "123",
            "idempotencyKey": f"pay-{uuid.uuid4()}",
            SHOPPER: shopper,
        }

    return build


def invalid_payment_data(field: str) -> Any:
    # As the sandbox's payments API words a 10001 on one instrument field.
    errors = {f"payment.instrument.{field}": f"{field} is not valid"}
    return payments_error(422, "Missing or invalid payment data.", code=10001, errors=errors)


IN = "input"
REFUSALS = [
    # createCart: POST /v3/carts
    Refusal("currency the store does not sell in", "CreateCart",
            cart_input({"productId": 111, "quantity": 1}, currencyCode="EUR"),
            "VALIDATION", [IN, "currencyCode"], "currency"),
    Refusal("unknown product", "CreateCart", cart_input({"productId": 999999, "quantity": 1}),
            "VALIDATION", [IN, "lineItems", "0", "productId"], "product id"),
    Refusal("unknown product in our second line", "CreateCart",
            cart_input({"productId": 111, "quantity": 1}, {"productId": 999999, "quantity": 1}),
            "VALIDATION", [IN, "lineItems", "1", "productId"], "product id"),
    Refusal("variant of another product", "CreateCart",
            cart_input({"productId": 111, "quantity": 1, "variantId": 999999}),
            "VALIDATION", [IN, "lineItems", "0", "variantId"], "variant id"),
    # addBillingAddress: POST (first) or PUT (again) /v3/checkouts/{id}/billing-address
    Refusal("billing country the store does not ship to", "AddBillingAddress",
            billing_input(JAPAN), "VALIDATION", [IN, "address", "countryCode"], "country code"),
    Refusal("billing state that does not exist", "AddBillingAddress", billing_input(NARNIA),
            "VALIDATION", [IN, "address", "stateOrProvince"], "state or province"),
    Refusal("billing country, on updating the address", "AddBillingAddress",
            billing_input(JAPAN, again=True),
            "VALIDATION", [IN, "address", "countryCode"], "country code"),
    Refusal("billing state, on updating the address", "AddBillingAddress",
            billing_input(NARNIA, again=True),
            "VALIDATION", [IN, "address", "stateOrProvince"], "state or province"),
    # addConsignment: POST /v3/checkouts/{id}/consignments (an array of one)
    Refusal("unknown line item", "AddConsignment", consignment_input(item_id="no-such-item"),
            "VALIDATION", [IN, "lineItems", "0", "itemId"], "item id"),
    Refusal("more than the cart holds", "AddConsignment", consignment_input(quantity=3),
            "VALIDATION", [IN, "lineItems", "0", "quantity"], "quantity"),
    Refusal("line item already shipped by another consignment", "AddConsignment",
            consignment_input(assigned=True),
            "VALIDATION", [IN, "lineItems", "0", "itemId"], "item id"),
    Refusal("shipping country the store does not ship to", "AddConsignment",
            consignment_input(JAPAN), "VALIDATION", [IN, "address", "countryCode"], "country code"),
    Refusal("shipping state that does not exist", "AddConsignment", consignment_input(NARNIA),
            "VALIDATION", [IN, "address", "stateOrProvince"], "state or province"),
    # selectShippingOption: PUT /v3/checkouts/{id}/consignments/{id}
    Refusal("shipping option not offered", "SelectShippingOption", unknown_shipping_option,
            "VALIDATION", [IN, "shippingOptionId"], "shipping option id"),
    # createOrder: POST /v3/checkouts/{id}/orders, a step missing
    # (a check in the domain may answer these before the store is asked: same path, and
    # its message names the step too; the rows below drive the store's own answer)
    Refusal("no billing address", "CreateOrder", order_input(new_cart),
            "VALIDATION", [IN, "checkoutId"], "billing"),
    Refusal("no consignment", "CreateOrder", order_input(with_billing),
            "VALIDATION", [IN, "checkoutId"], "shipping"),
    Refusal("no shipping option selected", "CreateOrder", order_input(with_consignment),
            "VALIDATION", [IN, "checkoutId"], "shipping"),
    Refusal("store: billing address missing", "CreateOrder",
            order_refused_by_store("A billing address is required to create an order."),
            "VALIDATION", [IN, "checkoutId"], "billing address"),
    Refusal("store: shipping method missing", "CreateOrder",
            order_refused_by_store("A shipping method must be selected for every consignment."),
            "VALIDATION", [IN, "checkoutId"], "shipping option"),
    Refusal("store: shipping address incomplete", "CreateOrder",
            order_refused_by_store("A shipping address for this order is incomplete."),
            "VALIDATION", [IN, "checkoutId"], "shipping address"),
    Refusal("store: billing address incomplete", "CreateOrder",
            order_refused_by_store("The billing address for this order is incomplete."),
            "VALIDATION", [IN, "checkoutId"], "billing address"),
    # payWithCard: POST /v3/payments/access_tokens, then POST {payments}/payments
    Refusal("declined", "PayWithCard", card_payment({**GOOD_CARD, "number": "4000000000000002"}),
            "PAYMENT_DECLINED", None, "declined"),
    Refusal("insufficient funds", "PayWithCard",
            card_payment({**GOOD_CARD, "number": "4000000000009995"}),
            "INSUFFICIENT_FUNDS", None, "insufficient funds"),
    Refusal("expired, says the issuer", "PayWithCard",
            card_payment({**GOOD_CARD, "number": "4000000000000069"}),
            "CARD_EXPIRED", [IN, "card", "expiryYear"], "expired"),
    Refusal("card of no brand the store takes", "PayWithCard", card_payment(NO_BRAND_CARD),
            "INVALID_CARD", [IN, "card"], "card"),
    Refusal("order already paid", "PayWithCard", card_payment(paid=True),
            "ORDER_NOT_PAYABLE", None, "not awaiting payment"),
    Refusal("store: a card field invalid", "PayWithCard",
            card_payment(refusal=invalid_payment_data("verification_value")),
            "VALIDATION", [IN, "card", "verificationValue"], "verification value"),
    Refusal("store: instrument type not taken", "PayWithCard",
            card_payment(refusal=invalid_payment_data("type")),
            "VALIDATION", [IN, "paymentMethodId"], "payment method id"),
    # payWithStoredCard: the same calls, with a stored instrument
    Refusal("stored: order already paid", "PayWithStoredCard", stored_payment(paid=True),
            "ORDER_NOT_PAYABLE", None, "not awaiting payment"),
    Refusal("stored: instrument not the shopper's", "PayWithStoredCard",
            stored_payment(refusal=payments_error(
                422, "Stored instrument could not be found.", code=30051)),
            "STORED_INSTRUMENT_NOT_FOUND", [IN, "token"], "stored"),
    Refusal("stored: CVV refused", "PayWithStoredCard",
            stored_payment(refusal=invalid_payment_data("verification_value")),
            "VALIDATION", [IN, "verificationValue"], "verification value"),
    Refusal("stored: token refused", "PayWithStoredCard",
            stored_payment(refusal=invalid_payment_data("token")),
            "VALIDATION", [IN, "token"], "token"),
    Refusal("stored: card not verified", "PayWithStoredCard",
            stored_payment(refusal=payments_error(
                422, "The card details could not be verified.", code=30102)),
            "INVALID_CARD", [IN, "token"], "card"),
]  # fmt: skip


def assert_in_our_words(message: str) -> None:
    assert not SNAKE.search(message), f"a REST key in {message!r}"
    assert not DOTTED.search(message), f"a dot path in {message!r}"
    assert not INDEX.search(message), f"a REST index in {message!r}"


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
async def test_store_refusal_points_at_the_clients_input(gateway: Any, refusal: Refusal) -> None:
    built = await refusal.build(gateway)
    headers = shopper_headers(built.pop(SHOPPER, None))
    gateway.sandbox.clear_requests()
    answer = await gateway.run(refusal.operation, {"input": built}, headers)
    field_name = refusal.operation[0].lower() + refusal.operation[1:]
    payload = answer["data"][field_name]
    errors = payload["errors"]
    assert len(errors) == 1, errors
    (error,) = errors
    assert (error["code"], error["field"]) == (refusal.code, refusal.field), error
    assert refusal.words in error["message"].lower(), error["message"]
    assert_in_our_words(error["message"])
    assert error["message"] != "The store rejected the input."


async def test_every_mutation_has_refusals_in_the_table() -> None:
    covered = {r.operation for r in REFUSALS}
    assert covered == {
        "CreateCart", "AddBillingAddress", "AddConsignment", "SelectShippingOption",
        "CreateOrder", "PayWithCard", "PayWithStoredCard",
    }  # fmt: skip


@pytest.mark.parametrize(
    "message",
    [
        "The store did not accept billing_address.country_code.",
        "The store rejected the field 0.lineItems.0.itemId.",
        "Line 3 was refused.",
    ],
)
def test_the_message_check_catches_rest_shapes(message: str) -> None:
    with pytest.raises(AssertionError):
        assert_in_our_words(message)
