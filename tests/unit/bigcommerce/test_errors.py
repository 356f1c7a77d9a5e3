"""BigCommerce error answers -> the contract: code, field path, message, and what may have happened.

The effect is what decides a payment's fate: UNKNOWN is reconciled from the order and
never resent; APPLIED is an answer (a refusal), kept under the idempotency key.
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.bigcommerce import client
from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.errors import (
    MESSAGES,
    PAYMENT_CODES,
    SPECIFIC_MESSAGES,
    InputRule,
    UpstreamError,
    currency_refused,
    error_from_response,
    field_words,
    order_step_missing,
    unavailable,
)
from gateway.errors import Effect, ErrorCode

ALL_CALLS = list(CallClass)


WRITES = [CallClass.WRITE, CallClass.ORDER, CallClass.PAYMENT]


def payments_body(code: int) -> dict[str, Any]:
    return {"status": 422, "title": "The store's own words", "type": "about:blank", "code": code}


def seen(error: UpstreamError) -> tuple[ErrorCode, tuple[str, ...] | None, Effect]:
    return error.code, error.field, error.effect


@pytest.mark.parametrize("status", [400, 422, 500, 502])
@pytest.mark.parametrize("code", [10000, 30100])
def test_may_have_been_processed_on_a_payment_is_unknown(status: int, code: int) -> None:
    error = error_from_response(status, payments_body(code), CallClass.PAYMENT)
    assert seen(error) == (ErrorCode.UPSTREAM_UNAVAILABLE, None, Effect.UNKNOWN)
    assert error.status == status
    assert error.message == MESSAGES[ErrorCode.UPSTREAM_UNAVAILABLE]


@pytest.mark.parametrize("code", [10000, 30100])
def test_may_have_been_processed_on_a_4xx_read_is_a_plain_unavailable(code: int) -> None:
    error = error_from_response(400, payments_body(code), CallClass.READ)
    assert seen(error) == (ErrorCode.UPSTREAM_UNAVAILABLE, None, Effect.NONE)
    assert error.bc_code == code
    on_order = error_from_response(400, payments_body(code), CallClass.ORDER)
    assert seen(on_order) == (ErrorCode.UPSTREAM_UNAVAILABLE, None, Effect.APPLIED)


@pytest.mark.parametrize("status", [500, 503])
@pytest.mark.parametrize("call", WRITES)
def test_a_5xx_with_a_known_unavailable_code_is_unknown_for_writes(
    call: CallClass, status: int
) -> None:
    error = error_from_response(status, payments_body(10000), call)
    assert seen(error) == (ErrorCode.UPSTREAM_UNAVAILABLE, None, Effect.UNKNOWN)
    assert error.status == status


# The path is BigCommerce's (payment.instrument...); each payment call's FieldPath makes it the
# client's input path (card, card.expiryYear, token): tests/gateway/test_store_refusals.py.
@pytest.mark.parametrize(
    ("code", "contract", "field"),
    [
        (30102, ErrorCode.INVALID_CARD, ("payment", "instrument")),
        (30050, ErrorCode.INVALID_CARD, ("payment", "instrument")),
        (30103, ErrorCode.CARD_EXPIRED, ("payment", "instrument", "expiry_year")),
        (30104, ErrorCode.PAYMENT_DECLINED, None),
        (30106, ErrorCode.INSUFFICIENT_FUNDS, None),
        (30105, ErrorCode.DUPLICATE_TRANSACTION, None),
        (30101, ErrorCode.ORDER_NOT_PAYABLE, None),
        (30003, ErrorCode.NOT_FOUND, None),
        (30004, ErrorCode.CONFLICT, None),
        (30051, ErrorCode.STORED_INSTRUMENT_NOT_FOUND, ("payment", "instrument", "token")),
        (30000, ErrorCode.PAYMENT_METHOD_NOT_ACCEPTED, None),
        (10001, ErrorCode.VALIDATION, None),
    ],
)
def test_payments_refusals_are_answers_with_their_field(
    code: int, contract: ErrorCode, field: tuple[str, ...] | None
) -> None:
    error = error_from_response(422, payments_body(code), CallClass.PAYMENT)
    assert seen(error) == (contract, field, Effect.APPLIED)
    assert (error.status, error.bc_code) == (422, code)
    assert error.message == SPECIFIC_MESSAGES.get(code, MESSAGES[contract])
    assert "store's own words" not in error.message


def test_every_payments_code_has_a_message_of_ours() -> None:
    for code, contract in PAYMENT_CODES.items():
        error = error_from_response(422, payments_body(code), CallClass.ORDER)
        assert error.message in (SPECIFIC_MESSAGES.get(code), MESSAGES[contract])
        assert error.message != "Upstream error."


def test_specific_messages_say_what_happened() -> None:
    def message(code: int) -> str:
        return error_from_response(422, payments_body(code), CallClass.PAYMENT).message

    assert message(30004).startswith("The order total changed")
    assert message(30050) == "The card could not be saved."
    assert message(30107) == "The stored account's authorization was revoked."
    assert message(30104) == "The payment was declined; use another card or ask the issuer."


@pytest.mark.parametrize("body", [payments_body(39999), {"code": "30102"}, {"code": None}])
def test_a_payments_code_we_do_not_know_falls_back_to_the_status(body: dict[str, Any]) -> None:
    error = error_from_response(422, body, CallClass.PAYMENT)
    assert seen(error) == (ErrorCode.VALIDATION, None, Effect.APPLIED)
    assert error.message == "The store rejected the input."
    assert error.bc_code is None
    assert seen(error_from_response(500, body, CallClass.PAYMENT))[0:3:2] == (
        ErrorCode.UPSTREAM_UNAVAILABLE,
        Effect.UNKNOWN,
    )


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("call", ALL_CALLS)
def test_refused_credentials_are_upstream_auth(status: int, call: CallClass) -> None:
    error = error_from_response(status, {"title": "Unauthorized"}, call)
    assert error.code is ErrorCode.UPSTREAM_AUTH
    assert error.message == "The gateway is not authorised by the store; contact its operator."
    assert error.effect is call.effect(answered=True)
    assert error.status == status


@pytest.mark.parametrize(
    ("status", "contract"), [(404, ErrorCode.NOT_FOUND), (409, ErrorCode.CONFLICT)]
)
def test_not_found_and_conflict(status: int, contract: ErrorCode) -> None:
    for call in ALL_CALLS:
        error = error_from_response(status, {"title": "x"}, call)
        assert seen(error) == (contract, None, call.effect(answered=True))
        assert error.message == MESSAGES[contract]
        assert error.status == status


@pytest.mark.parametrize("call", ALL_CALLS)
def test_a_5xx_was_not_answered(call: CallClass) -> None:
    error = error_from_response(500, {"title": "Internal"}, call)
    assert seen(error) == (ErrorCode.UPSTREAM_UNAVAILABLE, None, call.effect(answered=False))
    assert error.status == 500
    assert error.message == "The store is not reachable right now; retry shortly."


@pytest.mark.parametrize("call", ALL_CALLS)
def test_a_429_was_refused_before_acting(call: CallClass) -> None:
    error = error_from_response(429, payments_body(30104), call, retry_after_ms=1500)
    assert seen(error) == (ErrorCode.RATE_LIMITED, None, Effect.NONE)
    assert (error.status, error.retry_after_ms) == (429, 1500)
    assert error.extensions == {"retryAfterMs": 1500}
    assert error.message == "The store is busy; retry after the indicated wait."
    assert error_from_response(429, None, call).extensions == {}


def test_the_first_field_a_v3_body_names_is_the_path() -> None:
    body = {"errors": {"0.address.first_name": "bad", "email": "bad"}}
    error = error_from_response(422, body, CallClass.WRITE)
    assert seen(error) == (ErrorCode.VALIDATION, ("0", "address", "first_name"), Effect.APPLIED)
    assert (
        error.message
        == "The store did not accept the first name; check the first name and try again."
    )
    assert error.status == 422
    indexed = error_from_response(422, {"errors": {"line_items[1].quantity": "x"}}, CallClass.WRITE)
    assert indexed.field == ("line_items", "1", "quantity")


def test_the_field_path_is_translated_by_the_caller() -> None:
    def to_input(path: list[str]) -> list[str]:
        return ["address", *path]

    error = error_from_response(
        400, {"errors": {"city": "x"}}, CallClass.WRITE, field_path=to_input
    )
    assert error.field == ("address", "city")


@pytest.mark.parametrize("body", [None, [], [{"status": 400, "message": "x"}], {"errors": []}, "x"])
def test_a_refusal_without_fields_is_validation(body: Any) -> None:
    error = error_from_response(400, body, CallClass.ORDER)
    assert seen(error) == (ErrorCode.VALIDATION, None, Effect.APPLIED)
    assert error.status == 400
    assert error.message == "The store rejected the input."


def test_calls_that_act_on_nothing_are_never_unknown() -> None:
    for call in (CallClass.READ, CallClass.TOKEN):
        assert call.effect(answered=True) is Effect.NONE
        assert call.effect(answered=False) is Effect.NONE
    for call in WRITES:
        assert call.effect(answered=True) is Effect.APPLIED
        assert call.effect(answered=False) is Effect.UNKNOWN


def test_unavailable_carries_its_wait() -> None:
    error = unavailable(Effect.NONE, status=503, retry_after_ms=250)
    assert seen(error) == (ErrorCode.UPSTREAM_UNAVAILABLE, None, Effect.NONE)
    assert (error.status, error.retry_after_ms, error.extensions) == (
        503,
        250,
        {"retryAfterMs": 250},
    )
    assert unavailable(Effect.UNKNOWN).extensions == {}


def test_an_upstream_error_without_a_message_of_its_own_gets_ours() -> None:
    assert UpstreamError(ErrorCode.NOT_FOUND, effect=Effect.NONE).message == "Not found."
    odd = UpstreamError(ErrorCode.PAYMENT_OUTCOME_UNKNOWN, effect=Effect.UNKNOWN)
    assert odd.message == "Upstream error."
    assert UpstreamError(ErrorCode.NOT_FOUND, "Gone.", effect=Effect.NONE).message == "Gone."


@pytest.mark.parametrize(
    ("place", "rest", "domain"),
    [
        (client._in_cart, ["currency", "code"], ["currency_code"]),
        (client._in_cart, ["line_items", "1", "product_id"], ["line_items", "1", "product_id"]),
        (client._in_address, ["country_code"], ["address", "country_code"]),
        (client._in_address, ["billing_address", "country_code"], ["address", "country_code"]),
        (client._in_the_one_consignment, ["0", "line_items", "0", "item_id"],
         ["line_items", "0", "item_id"]),
        (client._in_the_one_consignment, ["0", "shipping_address", "city"], ["address", "city"]),
        (client._in_the_one_consignment, ["address", "city"], ["address", "city"]),
        (client._in_card, ["payment", "instrument", "expiry_month"], ["card", "expiry_month"]),
        (client._in_card, ["payment", "instrument", "type"], ["payment_method_id"]),
        (client._in_card, ["payment", "payment_method_id"], ["payment_method_id"]),
        (client._in_card, ["order_id"], ["order_id"]),
        (client._in_stored, ["payment", "instrument"], ["token"]),
        (client._in_stored, ["payment", "instrument", "type"], ["payment_method_id"]),
        (client._in_stored, ["payment", "payment_method_id"], ["payment_method_id"]),
        (client._in_stored, ["order_id"], ["order_id"]),
    ],
)  # fmt: skip
def test_rest_paths_become_the_domains(place, rest, domain) -> None:
    assert place(rest) == domain


def test_refusals_naming_no_field_are_named_only_for_their_status() -> None:
    assert currency_refused(422, {}) is None
    assert order_step_missing(400, {"title": "A billing address is required"}) is None
    vague = order_step_missing(422, ["not", "an", "object"])
    assert vague is not None and vague.field == ["checkout_id"]
    assert "not ready" in vague.message


def test_a_call_without_a_rule_for_unnamed_refusals_says_so_plainly() -> None:
    error = error_from_response(422, {"title": "Nope"}, CallClass.WRITE, field_path=InputRule())
    assert (error.code, error.field) == (ErrorCode.VALIDATION, None)
    assert error.message == "The store rejected the input."


def test_field_words_skip_indexes() -> None:
    assert field_words(["line_items", "0", "item_id"]) == "the item id"
    assert field_words(["0"]) == "the input"


def test_a_currency_the_store_does_not_sell_in_names_the_currency_code() -> None:
    # carts.v3.yml: a non-transactional currency is a 400 naming no field.
    body = {"status": 400, "title": "Bad Request", "type": "about:blank"}
    rule = InputRule(client._in_cart, currency_refused)
    error = error_from_response(400, body, CallClass.WRITE, field_path=rule)
    assert seen(error) == (ErrorCode.VALIDATION, ("currency_code",), Effect.APPLIED)
    assert error.message == "The store does not sell in this currency."
    assert error.status == 400
    # A 422 naming no field is not about the currency: said plainly, pointing nowhere.
    other = error_from_response(422, body, CallClass.WRITE, field_path=rule)
    assert (other.field, other.message) == (None, "The store rejected the input.")


def test_a_rule_places_the_fields_a_refusal_names() -> None:
    rule = InputRule(client._in_cart, currency_refused)
    body = {"errors": {"currency.code": "x"}}
    named = error_from_response(422, body, CallClass.WRITE, field_path=rule)
    assert named.field == ("currency_code",)
    assert named.message == (
        "The store did not accept the currency code; check the currency code and try again."
    )


# The store's titles for createOrder's 422 (as the sandbox writes them), and what each says.
ORDER_STEP_TITLES = [
    ("The billing address for this order is incomplete.",
     "The checkout's billing address is incomplete: add it again, whole, before creating the "
     "order."),
    ("A billing address is required to create an order.",
     "The checkout has no billing address: add one before creating the order."),
    ("A shipping method must be selected for every consignment.",
     "No shipping option is selected: select one for every consignment before creating the "
     "order."),
    ("A Shipping Address for this order is incomplete.",
     "The checkout has no complete shipping address: add a consignment for every line item "
     "before creating the order."),
    ("Something else entirely",
     "The checkout is not ready for an order: add the billing address, a consignment and a "
     "shipping option first."),
]  # fmt: skip


@pytest.mark.parametrize(("title", "message"), ORDER_STEP_TITLES)
def test_an_order_the_checkout_is_not_ready_for_names_the_missing_step(
    title: str, message: str
) -> None:
    body = {"status": 422, "title": title, "type": "about:blank"}
    rule = InputRule(unnamed=order_step_missing)
    error = error_from_response(422, body, CallClass.ORDER, field_path=rule)
    assert seen(error) == (ErrorCode.VALIDATION, ("checkout_id",), Effect.APPLIED)
    assert error.message == message
    assert title.lower() not in error.message.lower()  # the store's words stay with the store


def test_a_payments_validation_refusal_points_at_the_field_it_names() -> None:
    named = {"payment.instrument.expiry_month": "must be between 1 and 12"}
    body = {**payments_body(10001), "errors": named}
    error = error_from_response(422, body, CallClass.PAYMENT, field_path=client._in_card)
    assert seen(error) == (ErrorCode.VALIDATION, ("card", "expiry_month"), Effect.APPLIED)
    assert error.message == (
        "The store did not accept the expiry month; check the expiry month and try again."
    )
    plain = error_from_response(422, payments_body(10001), CallClass.PAYMENT)
    assert seen(plain) == (ErrorCode.VALIDATION, None, Effect.APPLIED)
    assert plain.message == "The store rejected the input."


def test_a_card_refusal_points_at_its_own_field_whatever_else_the_body_lists() -> None:
    body = {**payments_body(30103), "errors": {"payment.instrument.number": "x"}}
    error = error_from_response(422, body, CallClass.PAYMENT, field_path=client._in_card)
    assert seen(error) == (ErrorCode.CARD_EXPIRED, ("card", "expiry_year"), Effect.APPLIED)
    assert error.message == MESSAGES[ErrorCode.CARD_EXPIRED]
