"""What a shopper sees when BigCommerce answers badly, and which upstream calls were made.

Each case asserts the contract code, the field path, and the sandbox's request record:
a payment is sent at most once, and a refused input reaches no upstream at all.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from gateway.sandbox import Fault
from tests.flow import GOOD_CARD, no_errors, pay_by_card, shopper_headers, sign_in, unpaid_order

PAYMENTS = r"/stores/[^/]+/payments"
ORDER_READ = r"/stores/[^/]+/v2/orders/\d+"
TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"


def calls(sandbox: Any, method: str, path_regex: str) -> list[int]:
    """Positions, in the sandbox's request record, of the requests that match."""
    pattern = re.compile(path_regex)
    return [
        index
        for index, r in enumerate(sandbox.requests)
        if r.method == method and pattern.fullmatch(r.path) is not None
    ]


def processor_error(status: int, code: int) -> dict[str, Any]:
    return {"status": status, "title": "Processor error", "type": TYPE, "code": code}


@pytest.mark.parametrize(("status", "code"), [(500, 10000), (400, 10000), (422, 30100)])
async def test_may_have_been_processed_after_the_charge_reconciles_from_the_order(
    gateway, status: int, code: int
) -> None:
    # The processor took the money, then answered with a "may have been processed" code.
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.clear_requests()
    fault = Fault.status_after_effect(status, processor_error(status, code))
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=fault)
    paid = await pay_by_card(gateway, order["id"])
    # Not a plain failure the shopper would answer by paying again: the order says paid.
    assert paid["errors"] == []
    assert paid["payment"] is None
    assert paid["order"]["statusId"] == 11
    payments = calls(sandbox, "POST", PAYMENTS)
    assert len(payments) == 1  # nothing resent
    assert [i for i in calls(sandbox, "GET", ORDER_READ) if i > payments[0]] != []


@pytest.mark.parametrize(("status", "code"), [(500, 10000), (422, 30100)])
async def test_may_have_been_processed_and_not_charged_is_outcome_unknown(
    gateway, status: int, code: int
) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.clear_requests()
    sandbox.faults.add(
        method="POST", path=PAYMENTS, fault=Fault.status(status, processor_error(status, code))
    )
    paid = await pay_by_card(gateway, order["id"])
    assert [e["code"] for e in paid["errors"]] == ["PAYMENT_OUTCOME_UNKNOWN"]
    assert paid["errors"][0]["message"].startswith("The payment's outcome is not known yet.")
    assert paid["order"]["number"] == order["number"] and paid["order"]["statusId"] != 11
    payments = calls(sandbox, "POST", PAYMENTS)
    assert len(payments) == 1
    assert [i for i in calls(sandbox, "GET", ORDER_READ) if i > payments[0]] != []


@pytest.mark.parametrize(
    ("code", "contract", "field"),
    [
        (30102, "INVALID_CARD", ["input", "card"]),
        (30103, "CARD_EXPIRED", ["input", "card", "expiryYear"]),
        (30106, "INSUFFICIENT_FUNDS", None),
    ],
)
async def test_upstream_card_refusals_name_the_card_field(
    gateway, code: int, contract: str, field: list[str] | None
) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.clear_requests()
    sandbox.faults.add(
        method="POST", path=PAYMENTS, fault=Fault.status(422, processor_error(422, code))
    )
    failed = await pay_by_card(gateway, order["id"])
    assert [(e["code"], e["field"]) for e in failed["errors"]] == [(contract, field)]
    assert len(calls(sandbox, "POST", PAYMENTS)) == 1
    # Refused, not charged: the order is still payable.
    assert no_errors(await pay_by_card(gateway, order["id"]))["order"]["statusId"] == 11


async def test_a_payments_code_we_do_not_know_is_a_validation_refusal(gateway) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.faults.add(
        method="POST", path=PAYMENTS, fault=Fault.status(422, processor_error(422, 39999))
    )
    failed = await pay_by_card(gateway, order["id"])
    assert [e["code"] for e in failed["errors"]] == ["VALIDATION"]
    assert len(calls(sandbox, "POST", PAYMENTS)) == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_the_store_refusing_our_credentials_is_upstream_auth(gateway, status: int) -> None:
    gateway.sandbox.faults.add(method="POST", path=r".*/v3/carts", fault=Fault.status(status))
    answer = await gateway.run(
        "CreateCart", {"input": {"lineItems": [{"productId": 111, "quantity": 1}]}}
    )
    payload = answer["data"]["createCart"]
    assert payload["cart"] is None
    assert [e["code"] for e in payload["errors"]] == ["UPSTREAM_AUTH"]
    assert payload["errors"][0]["message"] == (
        "The gateway is not authorised by the store; contact its operator."
    )


async def test_zero_quantity_is_refused_before_bigcommerce(gateway) -> None:
    gateway.sandbox.clear_requests()
    answer = await gateway.run(
        "CreateCart", {"input": {"lineItems": [{"productId": 111, "quantity": 0}]}}
    )
    errors = answer["data"]["createCart"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("VALIDATION", ["input", "lineItems", "0", "quantity"])
    ]
    assert gateway.sandbox.requests == []


@pytest.mark.parametrize(
    "number", ["5555555555554444", "2223003122003222", "6011111111111117", "378282246310005"]
)
async def test_each_brand_pays_with_the_card_method(gateway, number: str) -> None:
    order = await unpaid_order(gateway)
    cvv = "1234" if number.startswith("37") else "123"
    card = {**GOOD_CARD, "number": number, "verificationValue": cvv}
    gateway.sandbox.clear_requests()
    assert no_errors(await pay_by_card(gateway, order["id"], card))["order"]["statusId"] == 11
    sent = [
        r.json() for r in gateway.sandbox.requests if r.method == "POST" and r.host == "payments"
    ]
    assert len(sent) == 1
    assert sent[0]["payment"]["instrument"]["number"].endswith(number[-4:])


async def test_non_canonical_spellings_of_an_order_id_are_not_found(gateway) -> None:
    order = await unpaid_order(gateway)
    order_id = order["id"]
    assert (
        no_errors_order(await gateway.run("Order", {"id": order_id}))["number"] == order["number"]
    )
    spellings = [order_id[:8] + "!" + order_id[8:]]
    if "-" in order_id:
        spellings.append(order_id.replace("-", "+", 1))
    if "_" in order_id[4:]:
        spellings.append(order_id[:4] + order_id[4:].replace("_", "/", 1))
    for spelling in spellings:
        answer = await gateway.run("Order", {"id": spelling})
        assert answer["data"]["order"] is None
        assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def no_errors_order(answer: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in answer, answer["errors"]
    return answer["data"]["order"]  # type: ignore[no-any-return]


async def signed_in_order(gateway: Any) -> tuple[dict[str, Any], str]:
    """An unpaid order of customer 1, and their shopper token (stored instruments are theirs)."""
    shopper = await sign_in(gateway, 1)
    return await unpaid_order(gateway, shopper), shopper


async def stored(gateway: Any, shopper: str, order_id: str, method_id: str, typename: str) -> str:
    answer = await gateway.run("PaymentMethods", {"orderId": order_id}, shopper_headers(shopper))
    instruments = answer["data"]["shopper"]["storedInstruments"]
    return next(  # type: ignore[no-any-return]
        i["token"]
        for i in instruments
        if i["paymentMethodId"] == method_id and i["__typename"] == typename
    )


async def pay_stored(gateway: Any, shopper: str, order_id: str, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"orderId": order_id, "paymentMethodId": "braintree.card", **fields}}
    answer = await gateway.run("PayWithStoredCard", variables, shopper_headers(shopper))
    return answer["data"]["payWithStoredCard"]  # type: ignore[no-any-return]


async def test_a_stored_card_needs_its_security_code_when_the_method_asks(gateway) -> None:
    order, shopper = await signed_in_order(gateway)
    token = await stored(gateway, shopper, order["id"], "braintree.card", "StoredCard")
    gateway.sandbox.clear_requests()
    failed = await pay_stored(gateway, shopper, order["id"], token=token)
    assert [(e["code"], e["field"]) for e in failed["errors"]] == [
        ("VALIDATION", ["input", "verificationValue"])
    ]
    assert calls(gateway.sandbox, "POST", PAYMENTS) == []
    paid = await pay_stored(gateway, shopper, order["id"], token=token, verificationValue="123")
    assert no_errors(paid)["order"]["statusId"] == 11
    sent = [r.json() for r in gateway.sandbox.requests if r.host == "payments"]
    assert len(sent) == 1 and sent[0]["payment"]["instrument"]["token"] == token


@pytest.mark.parametrize("method", ["braintree.card", "braintree.paypal"])
async def test_a_token_the_shopper_does_not_have_is_not_found(gateway, method: str) -> None:
    order, shopper = await signed_in_order(gateway)
    paypal_token = await stored(
        gateway, shopper, order["id"], "braintree.paypal", "StoredPayPalAccount"
    )
    token = paypal_token if method == "braintree.card" else "no-such-token"
    gateway.sandbox.clear_requests()
    failed = await pay_stored(gateway, shopper, order["id"], token=token, paymentMethodId=method)
    assert [(e["code"], e["field"]) for e in failed["errors"]] == [
        ("STORED_INSTRUMENT_NOT_FOUND", ["input", "token"])
    ]
    assert calls(gateway.sandbox, "POST", PAYMENTS) == []


@pytest.mark.parametrize("method", ["braintree.paypal", "no.such.method"])
async def test_a_card_on_a_method_that_takes_no_cards_is_not_accepted(gateway, method: str) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    answer = await gateway.run(
        "PayWithCard",
        {
            "input": {
                "orderId": order["id"],
                "paymentMethodId": method,
                "card": GOOD_CARD,
                "idempotencyKey": f"pay-{uuid.uuid4()}",
            }
        },
    )
    failed = answer["data"]["payWithCard"]
    assert [(e["code"], e["field"]) for e in failed["errors"]] == [
        ("PAYMENT_METHOD_NOT_ACCEPTED", ["input", "paymentMethodId"])
    ]
    assert calls(gateway.sandbox, "POST", PAYMENTS) == []
    # The refusal was an answer before any charge: a good method still pays.
    assert no_errors(await pay_by_card(gateway, order["id"]))["order"]["statusId"] == 11


async def test_the_retry_of_an_unknown_outcome_reads_the_order_and_does_not_pay(gateway) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.status(502))
    key = f"pay-{uuid.uuid4()}"
    first = await pay_by_card(gateway, order["id"], key=key)
    assert [e["code"] for e in first["errors"]] == ["PAYMENT_OUTCOME_UNKNOWN"]
    sandbox.state.orders[order["number"]].status_id = 11  # BigCommerce settles it later
    sandbox.clear_requests()
    again = await pay_by_card(gateway, order["id"], key=key)
    assert again["errors"] == [] and again["payment"] is None
    assert again["order"]["statusId"] == 11
    assert calls(sandbox, "POST", PAYMENTS) == []
    assert calls(sandbox, "GET", ORDER_READ) != []


async def test_a_duplicate_transaction_reads_the_order_instead_of_failing(gateway) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    fault = Fault.status_after_effect(422, processor_error(422, 30105))
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=fault)
    paid = await pay_by_card(gateway, order["id"])
    assert paid["errors"] == [] and paid["order"]["statusId"] == 11


async def test_an_unknown_outcome_whose_order_cannot_be_read_is_still_unknown(gateway) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.status(502))
    # The order's owner is remembered from createOrder (no read before the charge): every
    # read after the charge fails.
    sandbox.faults.add(method="GET", path=ORDER_READ, fault=Fault.status(404), times=None)
    paid = await pay_by_card(gateway, order["id"])
    assert [e["code"] for e in paid["errors"]] == ["PAYMENT_OUTCOME_UNKNOWN"]
    assert paid["order"] is None
    assert len(calls(sandbox, "POST", PAYMENTS)) == 1


async def test_a_charge_whose_order_read_back_fails_is_still_a_success(gateway) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    # No read before the charge (the owner is remembered): the read-back is the first.
    sandbox.faults.add(method="GET", path=ORDER_READ, fault=Fault.status(404), times=None)
    paid = await pay_by_card(gateway, order["id"])
    assert paid["errors"] == []
    assert paid["payment"]["status"] == "SUCCESS"
    assert paid["order"] is None
    sandbox.faults.clear()
    assert sandbox.state.orders[order["number"]].status_id == 11


async def test_a_paid_orders_methods_are_read_again(gateway) -> None:
    order = await unpaid_order(gateway)
    await gateway.run("PaymentMethods", {"orderId": order["id"]})
    no_errors(await pay_by_card(gateway, order["id"]))
    gateway.sandbox.clear_requests()
    await gateway.run("PaymentMethods", {"orderId": order["id"]})
    assert calls(gateway.sandbox, "GET", r".*/v3/payments/methods") != []


async def test_a_bad_order_id_is_reported_first_with_the_other_problems(gateway) -> None:
    gateway.sandbox.clear_requests()
    card = {**GOOD_CARD, "verificationValue": "12"}
    answer = await gateway.run(
        "PayWithCard",
        {
            "input": {
                "orderId": "ord_nope",
                "paymentMethodId": " ",
                "card": card,
                "idempotencyKey": "k" * 256,
            }
        },
    )
    failed = answer["data"]["payWithCard"]
    assert [(e["code"], e["field"]) for e in failed["errors"]] == [
        ("NOT_FOUND", ["input", "orderId"]),
        ("INVALID_CARD", ["input", "card", "verificationValue"]),
        ("VALIDATION", ["input", "paymentMethodId"]),
        ("VALIDATION", ["input", "idempotencyKey"]),
    ]
    assert gateway.sandbox.requests == []
    methods = await gateway.run("PaymentMethods", {"orderId": "ord_nope"})
    assert methods["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "change",
    [
        {"card": {**GOOD_CARD, "number": "5555555555554444"}},
        {"card": {**GOOD_CARD, "cardholderName": "John Doe"}},
        {"card": {**GOOD_CARD, "expiryMonth": 11}},
        {"card": {**GOOD_CARD, "expiryYear": 2031}},
        {"card": {**GOOD_CARD, "verificationValue": "321"}},
        {"saveInstrument": True},
        {"paymentMethodId": "braintree.paypal"},
    ],
)
async def test_a_key_used_again_with_any_other_payment_detail_is_reused(
    gateway, change: dict[str, Any]
) -> None:
    order = await unpaid_order(gateway)
    first = {
        "orderId": order["id"],
        "paymentMethodId": "braintree.card",
        "card": GOOD_CARD,
        "saveInstrument": False,
        "idempotencyKey": f"pay-{uuid.uuid4()}",
    }
    paid = await gateway.run("PayWithCard", {"input": first})
    assert no_errors(paid["data"]["payWithCard"])["order"]["statusId"] == 11
    gateway.sandbox.clear_requests()
    again = await gateway.run("PayWithCard", {"input": {**first, **change}})
    failed = again["data"]["payWithCard"]
    assert [(e["code"], e["field"]) for e in failed["errors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])
    ]
    assert gateway.sandbox.requests == []


async def test_a_key_used_again_for_another_order_is_reused(gateway) -> None:
    first, second = await unpaid_order(gateway), await unpaid_order(gateway)
    key = f"pay-{uuid.uuid4()}"
    no_errors(await pay_by_card(gateway, first["id"], key=key))
    other = await pay_by_card(gateway, second["id"], key=key)
    assert [e["code"] for e in other["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]


async def test_the_same_payment_typed_with_spaces_around_the_name_is_replayed(gateway) -> None:
    order = await unpaid_order(gateway)
    key = f"pay-{uuid.uuid4()}"
    first = no_errors(await pay_by_card(gateway, order["id"], key=key))
    gateway.sandbox.clear_requests()
    card = {**GOOD_CARD, "cardholderName": "  Jane Doe "}
    again = await pay_by_card(gateway, order["id"], card, key=key)
    assert again == first
    assert calls(gateway.sandbox, "POST", PAYMENTS) == []


async def test_a_stored_card_key_used_again_with_another_code_or_token_is_reused(gateway) -> None:
    order, shopper = await signed_in_order(gateway)
    token = await stored(gateway, shopper, order["id"], "braintree.card", "StoredCard")
    first = {"token": token, "verificationValue": "123", "idempotencyKey": f"pay-{uuid.uuid4()}"}
    no_errors(await pay_stored(gateway, shopper, order["id"], **first))
    for change in ({"verificationValue": "456"}, {"token": "another"}):
        again = await pay_stored(gateway, shopper, order["id"], **{**first, **change})
        assert [e["code"] for e in again["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    replayed = await pay_stored(gateway, shopper, order["id"], **first)
    assert no_errors(replayed)["order"]["statusId"] == 11


async def test_a_stored_card_payment_reports_every_input_problem_before_any_call(gateway) -> None:
    order, shopper = await signed_in_order(gateway)
    gateway.sandbox.clear_requests()
    failed = await pay_stored(
        gateway,
        shopper,
        order["id"],
        paymentMethodId=" ",
        token=" ",
        verificationValue="12",
        idempotencyKey="",
    )
    assert [(e["code"], e["field"], e["message"]) for e in failed["errors"]] == [
        ("VALIDATION", ["input", "paymentMethodId"], "The payment method id is required."),
        ("VALIDATION", ["input", "token"], "The token is required."),
        (
            "INVALID_CARD",
            ["input", "verificationValue"],
            "The card security code must be 3 or 4 digits.",
        ),
        (
            "VALIDATION",
            ["input", "idempotencyKey"],
            "The idempotency key must be 1 to 255 printable characters.",
        ),
    ]
    assert gateway.sandbox.requests == []
    bad_order = await pay_stored(gateway, shopper, "ord_nope", token="t")
    assert [(e["code"], e["field"]) for e in bad_order["errors"]] == [
        ("NOT_FOUND", ["input", "orderId"])
    ]


async def test_stored_card_refusals_say_what_is_missing(gateway) -> None:
    order, shopper = await signed_in_order(gateway)
    token = await stored(gateway, shopper, order["id"], "braintree.card", "StoredCard")
    missing = await pay_stored(gateway, shopper, order["id"], token=token)
    assert [e["message"] for e in missing["errors"]] == [
        "The verification value is required for this stored card."
    ]
    unknown = await pay_stored(gateway, shopper, order["id"], token="no-such-token")
    assert [e["message"] for e in unknown["errors"]] == [
        "No stored instrument with this token belongs to the order's shopper."
    ]
