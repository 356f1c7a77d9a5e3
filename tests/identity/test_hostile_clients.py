"""A hostile client's every way into customer 1's checkout, order and cards, refused.

Customer 1 (jane) signs in and makes a checkout and an order. A guest (no token) and a
stranger (customer 2's token) then try each path: root queries, mutations, payment
methods, stored instruments, ``_entities`` and replayed idempotency keys. Each answer is
the one an unknown id gets, word for word, and the sandbox's request record shows that
no payment access token was minted and nothing reached the payments host.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

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

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Order { id number status }
    ... on Checkout { id cart { id } }
  }
}
"""


@dataclass
class Janes:
    token: str
    checkout: dict[str, Any]  # ready to order, not ordered
    order: dict[str, Any]  # unpaid
    card_token: str


async def _janes(gateway: Any) -> Janes:
    token = await sign_in(gateway, 1)
    checkout = await checkout_ready_to_order(gateway, token)
    order = await unpaid_order(gateway, token)
    wallet = (await gateway.run("Shopper", {}, shopper_headers(token)))["data"]["shopper"]
    card = next(i for i in wallet["storedInstruments"] if i["__typename"] == "StoredCard")
    return Janes(token, checkout, order, card["token"])


def _untouched_payments(gateway: Any) -> None:
    """No PAT minted, nothing sent to the payments host, since the record was cleared."""
    requests = gateway.sandbox.requests
    assert [r.path for r in requests if r.host == "payments"] == []
    assert [r.path for r in requests if r.path.endswith("/payments/access_tokens")] == []


def _tampered(order_id: str) -> str:
    last = "A" if order_id[-1] != "A" else "B"
    return order_id[:-1] + last


def _query_error(answer: dict[str, Any]) -> tuple[str, str]:
    (error,) = answer["errors"]
    return error["extensions"]["code"], error["message"]


@pytest.fixture(params=["guest", "stranger"])
def who(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _headers(gateway: Any, who: str) -> dict[str, str] | None:
    return None if who == "guest" else shopper_headers(await sign_in(gateway, 2))


async def test_queries_answer_not_found_as_for_an_unknown_id(gateway, who) -> None:
    janes = await _janes(gateway)
    headers = await _headers(gateway, who)
    gateway.sandbox.clear_requests()
    order_id = janes.order["id"]

    unknown = _query_error(await gateway.run("Order", {"id": _tampered(order_id)}, headers))
    assert unknown[0] == "NOT_FOUND"
    assert _query_error(await gateway.run("Order", {"id": order_id}, headers)) == unknown
    unknown_checkout = _query_error(
        await gateway.run("Checkout", {"id": str(uuid.uuid4())}, headers)
    )
    assert unknown_checkout == unknown
    hostile = await gateway.run("Checkout", {"id": janes.checkout["id"]}, headers)
    assert _query_error(hostile) == unknown

    methods = await gateway.run("PaymentMethods", {"orderId": order_id}, headers)
    assert methods["data"]["paymentMethods"] is None
    codes = [(e["path"][0], e["extensions"]["code"], e["message"]) for e in methods["errors"]]
    expected = [("paymentMethods", *unknown)]
    if who == "stranger":  # a guest's shopper is null; a stranger's instruments: NOT_FOUND
        expected.append(("shopper", *unknown))
        assert methods["data"]["shopper"] is None  # storedInstruments is non-null: bubbles
    else:
        assert methods["data"]["shopper"] is None
    assert sorted(codes) == sorted(expected)

    status, answer = await gateway.post(
        {
            "query": ENTITIES,
            "variables": {
                "representations": [
                    {"__typename": "Order", "id": order_id},
                    {"__typename": "Checkout", "id": janes.checkout["id"]},
                ]
            },
        },
        headers,
    )
    assert status == 200
    assert answer["data"]["_entities"] == [None, None]
    assert sorted(e["extensions"]["code"] for e in answer["errors"]) == ["NOT_FOUND"] * 2
    assert {e["message"] for e in answer["errors"]} == {unknown[1]}
    _untouched_payments(gateway)


async def test_mutations_answer_not_found_as_for_an_unknown_id(gateway, who) -> None:
    janes = await _janes(gateway)
    headers = await _headers(gateway, who)
    gateway.sandbox.clear_requests()
    checkout_id = janes.checkout["id"]
    order_id = janes.order["id"]

    async def errors(operation: str, field: str, variables: dict[str, Any]) -> list[Any]:
        answer = await gateway.run(operation, {"input": variables}, headers)
        payload = answer["data"][field]
        assert all(value is None for key, value in payload.items() if key != "errors")
        return payload["errors"]  # type: ignore[no-any-return]

    consignment = janes.checkout["consignments"][0]
    for checkout in (str(uuid.uuid4()), checkout_id):  # unknown first, then jane's
        answers = [
            await errors(
                "AddBillingAddress",
                "addBillingAddress",
                {"checkoutId": checkout, "address": US_ADDRESS},
            ),
            await errors(
                "AddConsignment",
                "addConsignment",
                {
                    "checkoutId": checkout,
                    "address": US_ADDRESS,
                    "lineItems": [{"itemId": consignment["lineItemIds"][0], "quantity": 1}],
                },
            ),
            await errors(
                "SelectShippingOption",
                "selectShippingOption",
                {
                    "checkoutId": checkout,
                    "consignmentId": consignment["id"],
                    "shippingOptionId": consignment["availableShippingOptions"][0]["id"],
                },
            ),
            await errors(
                "CreateOrder",
                "createOrder",
                {"checkoutId": checkout, "idempotencyKey": f"order-{uuid.uuid4()}"},
            ),
        ]
        expected = [
            {"code": "NOT_FOUND", "field": ["input", "checkoutId"], "message": "Not found."}
        ]
        assert answers == [expected] * 4
    for order in (_tampered(order_id), order_id):
        by_card = await errors(
            "PayWithCard",
            "payWithCard",
            {"orderId": order, "paymentMethodId": "braintree.card", "card": GOOD_CARD},
        )
        stored = await errors(
            "PayWithStoredCard",
            "payWithStoredCard",
            {
                "orderId": order,
                "paymentMethodId": "braintree.card",
                "token": janes.card_token,
                "verificationValue": "123",
            },
        )
        expected = [{"code": "NOT_FOUND", "field": ["input", "orderId"], "message": "Not found."}]
        assert by_card == stored == expected
    _untouched_payments(gateway)
    # Nothing changed upstream: no order was made from jane's checkout by anyone else.
    assert gateway.sandbox.state.orders[janes.order["number"]].status_id == 0


async def test_customer_1s_card_cannot_pay_a_strangers_order(gateway) -> None:
    janes = await _janes(gateway)
    john = await sign_in(gateway, 2)
    johns_order = await unpaid_order(gateway, john)
    guest_order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    # Jane looking at a guest's order: its methods, and none of her instruments offered.
    offered = await gateway.run(
        "PaymentMethods", {"orderId": guest_order["id"]}, shopper_headers(janes.token)
    )
    assert offered["data"]["paymentMethods"] and "errors" not in offered
    assert offered["data"]["shopper"] == {"customerId": 1, "storedInstruments": []}
    attempts = [
        (john, johns_order),  # john's own order, jane's card
        (janes.token, guest_order),  # jane signed in, paying a guest's order with her card
        (None, guest_order),  # a guest paying a guest's order with jane's card
    ]
    for token, order in attempts:
        answer = await gateway.run(
            "PayWithStoredCard",
            {
                "input": {
                    "orderId": order["id"],
                    "paymentMethodId": "braintree.card",
                    "token": janes.card_token,
                    "verificationValue": "123",
                    "idempotencyKey": f"pay-{uuid.uuid4()}",
                }
            },
            shopper_headers(token),
        )
        payload = answer["data"]["payWithStoredCard"]
        assert payload["payment"] is None
        assert [e["code"] for e in payload["errors"]] == ["STORED_INSTRUMENT_NOT_FOUND"]
    _untouched_payments(gateway)
    # A guest's order is still payable by card by anyone holding its id.
    assert no_errors(await pay_by_card(gateway, guest_order["id"]))["order"]["statusId"] == 11


async def test_another_shoppers_replayed_key_gets_nothing_of_the_first(gateway) -> None:
    janes = await _janes(gateway)
    key = f"pay-{uuid.uuid4()}"
    paid = no_errors(await pay_by_card(gateway, janes.order["id"], key=key, token=janes.token))
    assert paid["payment"]["status"] == "SUCCESS"
    # The very same request (same key, same input) from a guest and from john.
    for headers in (None, shopper_headers(await sign_in(gateway, 2))):
        gateway.sandbox.clear_requests()
        answer = await gateway.run(
            "PayWithCard",
            {
                "input": {
                    "orderId": janes.order["id"],
                    "paymentMethodId": "braintree.card",
                    "card": GOOD_CARD,
                    "saveInstrument": False,
                    "idempotencyKey": key,
                }
            },
            headers,
        )
        payload = answer["data"]["payWithCard"]
        assert payload["payment"] is None and payload["order"] is None
        assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
        _untouched_payments(gateway)


async def test_a_key_is_scoped_to_the_shopper_even_on_a_guest_order(gateway) -> None:
    """A guest's order is reachable by anyone, but a key replayed by a signed-in shopper is
    a new request of theirs, never the guest's recorded answer."""
    order = await unpaid_order(gateway)
    key = f"pay-{uuid.uuid4()}"
    first = no_errors(await pay_by_card(gateway, order["id"], key=key))
    assert first["payment"]["status"] == "SUCCESS"
    replayed = no_errors(await pay_by_card(gateway, order["id"], key=key))  # the same guest
    assert replayed["payment"] == first["payment"]
    john = shopper_headers(await sign_in(gateway, 2))
    answer = await gateway.run(
        "PayWithCard",
        {
            "input": {
                "orderId": order["id"],
                "paymentMethodId": "braintree.card",
                "card": GOOD_CARD,
                "saveInstrument": False,
                "idempotencyKey": key,
            }
        },
        john,
    )
    payload = answer["data"]["payWithCard"]
    assert payload["payment"] is None  # not the guest's payment
    assert [e["code"] for e in payload["errors"]] != []


async def test_cached_payment_methods_still_answer_only_the_orders_customer(gateway) -> None:
    janes = await _janes(gateway)
    mine = await gateway.run(
        "PaymentMethods", {"orderId": janes.order["id"]}, shopper_headers(janes.token)
    )
    assert mine["data"]["paymentMethods"]  # cached now, with the order's customer
    john = shopper_headers(await sign_in(gateway, 2))
    for headers in (None, john):
        gateway.sandbox.clear_requests()
        query = "query($id: ID!) { paymentMethods(orderId: $id) { id } }"
        status, answer = await gateway.post(
            {"query": query, "variables": {"id": janes.order["id"]}}, headers
        )
        assert status == 200 and answer["data"]["paymentMethods"] is None
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["NOT_FOUND"]
        assert gateway.sandbox.requests == []  # refused from the cache: nothing asked
    again = await gateway.run(
        "PaymentMethods", {"orderId": janes.order["id"]}, shopper_headers(janes.token)
    )
    assert again["data"]["paymentMethods"] == mine["data"]["paymentMethods"]
