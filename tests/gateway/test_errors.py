"""Every expected failure arrives with its contract code, in the payload or extensions.code."""

from __future__ import annotations

import uuid

import pytest

from gateway.sandbox import Fault
from tests import flow
from tests.flow import GOOD_CARD, checkout_ready_to_order, no_errors, pay_by_card, unpaid_order


def payments_sent(sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.host == "payments")


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4000000000000002", "PAYMENT_DECLINED"),
        ("4000000000009995", "INSUFFICIENT_FUNDS"),
        ("4000000000000069", "CARD_EXPIRED"),
    ],
)
async def test_declines_map_to_their_codes_and_leave_the_order_payable(gateway, number, code):
    order = await unpaid_order(gateway)
    failed = await pay_by_card(gateway, order["id"], {**GOOD_CARD, "number": number})
    assert [e["code"] for e in failed["errors"]] == [code]
    assert failed["payment"] is None
    assert number not in str(failed)
    assert payments_sent(gateway.sandbox) == 1
    # Declined, not charged: a good card may still pay.
    assert no_errors(await pay_by_card(gateway, order["id"]))["order"]["statusId"] == 11


async def test_luhn_invalid_card_makes_no_upstream_call(gateway) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    failed = await pay_by_card(gateway, order["id"], {**GOOD_CARD, "number": "4111111111111112"})
    assert failed["errors"] == [
        {
            "code": "INVALID_CARD",
            "field": ["input", "card", "number"],
            "message": "The card number is not valid (check digit).",
        }
    ]
    assert gateway.sandbox.requests == []


async def test_every_card_problem_is_reported_at_once(gateway) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    card = {
        "number": "4111111111111111",
        "cardholderName": " ",
        "expiryMonth": 13,
        "expiryYear": 30,
        "verificationValue": "12345",
    }
    failed = await pay_by_card(gateway, order["id"], card)
    fields = {tuple(e["field"]): e["code"] for e in failed["errors"]}
    assert fields == {
        ("input", "card", "cardholderName"): "VALIDATION",
        ("input", "card", "expiryMonth"): "VALIDATION",
        ("input", "card", "expiryYear"): "VALIDATION",
        ("input", "card", "verificationValue"): "INVALID_CARD",
    }
    assert "12345" not in str(failed) and gateway.sandbox.requests == []


async def test_past_expiry_is_card_expired_without_upstream_call(gateway) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    failed = await pay_by_card(gateway, order["id"], {**GOOD_CARD, "expiryYear": 2020})
    assert [e["code"] for e in failed["errors"]] == ["CARD_EXPIRED"]
    assert gateway.sandbox.requests == []


async def test_unknown_checkout_is_not_found(gateway) -> None:
    answer = await gateway.run("Checkout", {"id": str(uuid.uuid4())})
    assert answer["data"]["checkout"] is None
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "bigcommerce" not in str(answer).lower()
    garbage = await gateway.run("Checkout", {"id": "../../v2/orders/1"})
    assert garbage["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_stale_version_is_conflict(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    consignment = checkout["consignments"][0]
    option = consignment["availableShippingOptions"][1]
    stale = await gateway.run(
        "SelectShippingOption",
        {
            "input": {
                "checkoutId": checkout["id"],
                "consignmentId": consignment["id"],
                "shippingOptionId": option["id"],
                "version": checkout["version"] - 1,
            }
        },
    )
    assert [e["code"] for e in stale["data"]["selectShippingOption"]["errors"]] == ["CONFLICT"]
    fresh = await gateway.run(
        "SelectShippingOption",
        {
            "input": {
                "checkoutId": checkout["id"],
                "consignmentId": consignment["id"],
                "shippingOptionId": option["id"],
                "version": checkout["version"],
            }
        },
    )
    chosen = no_errors(fresh["data"]["selectShippingOption"])["checkout"]
    assert chosen["consignments"][0]["selectedShippingOption"]["id"] == option["id"]
    assert chosen["version"] > checkout["version"]


async def test_forged_and_bare_order_ids_are_not_found(gateway) -> None:
    order = await unpaid_order(gateway)
    forged = order["id"][:-2] + ("AA" if not order["id"].endswith("AA") else "BB")
    for bad in (forged, str(order["number"]), "ord_", "ord_!!!"):
        answer = await gateway.run("Order", {"id": bad})
        assert answer["data"]["order"] is None
        assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        paid = await pay_by_card(gateway, bad)
        assert paid["errors"][0]["code"] == "NOT_FOUND"
        assert paid["errors"][0]["field"] == ["input", "orderId"]
    assert payments_sent(gateway.sandbox) == 0


async def test_upstream_500_is_upstream_unavailable(gateway) -> None:
    gateway.sandbox.faults.add(
        method="POST", path=r".*/v3/carts", fault=Fault.status(500), times=None
    )
    answer = await gateway.run(
        "CreateCart", {"input": {"lineItems": [{"productId": 111, "quantity": 1}]}}
    )
    payload = answer["data"]["createCart"]
    assert payload["cart"] is None
    assert [e["code"] for e in payload["errors"]] == ["UPSTREAM_UNAVAILABLE"]


async def test_bad_address_is_validation_with_field_paths(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    gateway.sandbox.clear_requests()
    answer = await gateway.run(
        "AddBillingAddress",
        {
            "input": {
                "checkoutId": checkout["id"],
                "address": {"email": "not-an-email", "countryCode": "XX", "firstName": "Jane"},
            }
        },
    )
    errors = answer["data"]["addBillingAddress"]["errors"]
    fields = {tuple(e["field"]) for e in errors}
    assert ("input", "address", "email") in fields
    assert ("input", "address", "countryCode") in fields
    assert ("input", "address", "lastName") in fields
    assert {e["code"] for e in errors} == {"VALIDATION"}
    assert gateway.sandbox.requests == []


async def test_zero_quantity_is_validation(gateway) -> None:
    answer = await gateway.run(
        "CreateCart", {"input": {"lineItems": [{"productId": 111, "quantity": 0}]}}
    )
    errors = answer["data"]["createCart"]["errors"]
    assert errors[0]["code"] == "VALIDATION"
    assert errors[0]["field"] == ["input", "lineItems", "0", "quantity"]


async def test_paying_a_paid_order_is_not_payable(gateway) -> None:
    order = await unpaid_order(gateway)
    no_errors(await pay_by_card(gateway, order["id"]))
    again = await pay_by_card(gateway, order["id"])
    assert [e["code"] for e in again["errors"]] == ["ORDER_NOT_PAYABLE"]


async def test_unknown_outcome_says_when_the_money_was_taken(gateway) -> None:
    # A payment that went through while BigCommerce had not moved the order yet: the
    # gateway's next attempt ends unknown (5xx), and the transactions tell the client why
    # it must not pay again.
    order = await unpaid_order(gateway)
    no_errors(await pay_by_card(gateway, order["id"]))
    gateway.sandbox.state.orders[order["number"]].status_id = 0  # the order lags behind
    gateway.sandbox.faults.add(
        method="POST", path=r"/stores/[^/]+/payments", fault=Fault.status(502), times=1
    )
    again = await pay_by_card(gateway, order["id"])
    assert [e["code"] for e in again["errors"]] == ["PAYMENT_OUTCOME_UNKNOWN"]
    assert again["errors"][0]["message"].startswith("The payment was taken")
    assert again["order"]["statusId"] == 0


async def test_store_field_errors_point_at_the_input_field(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    address = {k: v for k, v in flow.US_ADDRESS.items() if k != "phone"}
    answer = await gateway.run(
        "AddConsignment",
        {
            "input": {
                "checkoutId": checkout["id"],
                "address": address,
                "lineItems": [{"itemId": "no-such-line-item", "quantity": 1}],
            }
        },
    )
    errors = answer["data"]["addConsignment"]["errors"]
    assert [e["code"] for e in errors] == ["VALIDATION"]
    assert errors[0]["field"] == ["input", "lineItems", "0", "itemId"]
    assert "no-such-line-item" not in errors[0]["message"]  # our words, not the store's
