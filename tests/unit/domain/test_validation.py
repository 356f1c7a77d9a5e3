"""Input checks: the code, field path and message a client gets for each rule, before any call."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from gateway.domain.models import Address
from gateway.domain.validation import (
    CardDetails,
    Problems,
    canonical_checkout_id,
    card_brand,
    check_address,
    check_card,
    check_currency,
    check_cvv,
    check_idempotency_key,
    check_positive_id,
    check_quantity,
    check_text,
    checkout_id_or_not_found,
    mask_card_number,
)
from gateway.errors import ErrorCode, GatewayError, GatewayErrors
from gateway.redaction import luhn_ok

TODAY = dt.date(2026, 11, 27)


CARD: dict[str, Any] = {
    "number": "4111111111111111",
    "cardholder_name": "Jane Doe",
    "expiry_month": 12,
    "expiry_year": 2030,
    "verification_value": "123",
}


ADDRESS = {
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane@example.com",
    "address1": "1 Main Street",
    "city": "Austin",
    "state_or_province": "Texas",
    "country_code": "US",
    "postal_code": "78701",
}


def luhn_number(prefix: str, length: int) -> str:
    """A number of ``length`` digits starting with ``prefix`` whose check digit is right."""
    body = prefix + "0" * (length - 1 - len(prefix))
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return body + str((10 - total % 10) % 10)


def card_problems(**changes: Any) -> list[tuple[tuple[str, ...], ErrorCode, str]]:
    card = CardDetails(**{**CARD, **changes})
    problems = Problems()
    check_card(card, problems, ["card"], today=TODAY)
    return [(tuple(e.field or ()), e.code, e.message) for e in problems.errors]


def address_problems(**changes: Any) -> tuple[list[tuple[tuple[str, ...], str]], Address]:
    problems = Problems()
    checked = check_address(Address(**{**ADDRESS, **changes}), problems, ["address"])
    return [(tuple(e.field or ()), e.message) for e in problems.errors], checked


@pytest.mark.parametrize("length", [13, 19])
def test_card_numbers_of_13_and_19_digits_are_accepted(length: int) -> None:
    assert card_problems(number=luhn_number("4", length)) == []


@pytest.mark.parametrize("length", [12, 20])
def test_card_numbers_outside_13_to_19_digits_are_invalid_card(length: int) -> None:
    assert card_problems(number=luhn_number("4", length)) == [
        (
            ("card", "number"),
            ErrorCode.INVALID_CARD,
            "The card number must have 13 to 19 digits.",
        )
    ]


def test_a_card_number_with_letters_is_invalid_card() -> None:
    assert card_problems(number="4111a11111111111") == [
        (("card", "number"), ErrorCode.INVALID_CARD, "The card number must contain only digits.")
    ]


def test_a_card_number_with_a_bad_check_digit_is_invalid_card() -> None:
    assert card_problems(number="4111111111111112") == [
        (("card", "number"), ErrorCode.INVALID_CARD, "The card number is not valid (check digit).")
    ]


def test_spaces_and_dashes_in_a_card_number_are_ignored() -> None:
    assert card_problems(number="4111-1111 1111-1111") == []
    assert CardDetails(**{**CARD, "number": "4111-1111 1111-1111"}).digits == "4111111111111111"


NAME_RULE = "The cardholder name must be 1 to 100 letters."


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Jane\x00Doe", "1234", " 42 "])
def test_cardholder_names_breaking_the_rules_are_refused(name: str) -> None:
    assert card_problems(cardholder_name=name) == [
        (("card", "cardholder_name"), ErrorCode.VALIDATION, NAME_RULE)
    ]


@pytest.mark.parametrize("name", ["J", "x" * 100, " Jane Doe ", "Jane Doe 3rd", "José Ñúñez"])
def test_cardholder_names_within_the_rules_pass(name: str) -> None:
    assert card_problems(cardholder_name=name) == []


@pytest.mark.parametrize("month", [0, 13])
def test_expiry_month_outside_1_to_12_is_refused(month: int) -> None:
    assert card_problems(expiry_month=month) == [
        (("card", "expiry_month"), ErrorCode.VALIDATION, "The expiry month must be 1 to 12.")
    ]


@pytest.mark.parametrize("month", [1, 12])
def test_expiry_months_1_and_12_pass(month: int) -> None:
    assert card_problems(expiry_month=month, expiry_year=2031) == []


@pytest.mark.parametrize("year", [999, 10000, 30])
def test_expiry_year_must_have_four_digits(year: int) -> None:
    assert card_problems(expiry_year=year) == [
        (("card", "expiry_year"), ErrorCode.VALIDATION, "The expiry year must have four digits.")
    ]


def test_the_far_bounds_of_a_four_digit_year_pass() -> None:
    assert card_problems(expiry_year=9999) == []
    expired = card_problems(expiry_year=1000)
    assert [(f, c) for f, c, _ in expired] == [(("card", "expiry_year"), ErrorCode.CARD_EXPIRED)]


def test_a_card_expiring_this_month_is_good_and_last_month_expired() -> None:
    assert card_problems(expiry_year=2026, expiry_month=11) == []
    assert card_problems(expiry_year=2026, expiry_month=10) == [
        (("card", "expiry_year"), ErrorCode.CARD_EXPIRED, "The card has expired.")
    ]


def test_a_bad_month_is_not_also_reported_as_expired() -> None:
    fields = [f for f, _, _ in card_problems(expiry_year=2020, expiry_month=13)]
    assert fields == [("card", "expiry_month")]


def test_without_a_date_today_is_used() -> None:
    problems = Problems()
    check_card(CardDetails(**{**CARD, "expiry_year": 2000}), problems, ["card"])
    assert [e.code for e in problems.errors] == [ErrorCode.CARD_EXPIRED]
    problems = Problems()
    check_card(CardDetails(**{**CARD, "expiry_year": 9999}), problems, ["card"])
    assert problems.errors == []


def test_a_4_digit_security_code_on_a_visa_is_refused() -> None:
    assert card_problems(verification_value="1234") == [
        (
            ("card", "verification_value"),
            ErrorCode.INVALID_CARD,
            "The card security code must be 3 digits.",
        )
    ]


def test_an_amex_takes_4_digits_only() -> None:
    amex = "378282246310005"
    assert card_problems(number=amex, verification_value="1234") == []
    assert card_problems(number=amex, verification_value="123") == [
        (
            ("card", "verification_value"),
            ErrorCode.INVALID_CARD,
            "The card security code must be 4 digits.",
        )
    ]


def test_a_number_that_is_not_digits_still_checks_a_3_digit_code() -> None:
    problems = card_problems(number="37a", verification_value="1234")
    assert [f for f, _, _ in problems] == [("card", "number"), ("card", "verification_value")]


@pytest.mark.parametrize("amex", [None])
def test_a_stored_card_code_may_have_3_or_4_digits(amex: bool | None) -> None:
    for good in ("123", "1234"):
        problems = Problems()
        check_cvv(good, problems, ["cvv"], amex=amex)
        assert problems.errors == []
    for bad in ("12", "12345", "12a", "١٢٣"):
        problems = Problems()
        check_cvv(bad, problems, ["cvv"], amex=amex)
        assert [(e.field, e.code, e.message) for e in problems.errors] == [
            (("cvv",), ErrorCode.INVALID_CARD, "The card security code must be 3 or 4 digits.")
        ]


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("340000000000009", "AMEX"),
        ("370000000000002", "AMEX"),
        ("4111111111111111", "VISA"),
        ("5100000000000008", "MASTERCARD"),
        ("5200000000000007", "MASTERCARD"),
        ("5300000000000006", "MASTERCARD"),
        ("5400000000000005", "MASTERCARD"),
        ("5555555555554444", "MASTERCARD"),
        ("2221000000000009", "MASTERCARD"),
        ("2720990000000007", "MASTERCARD"),
        ("6011111111111117", "DISCOVER"),
        ("6500000000000002", "DISCOVER"),
        ("2220990000000000", "CARD"),
        ("2721000000000000", "CARD"),
        ("5600000000000000", "CARD"),
        ("6012000000000000", "CARD"),
        ("3530111333300000", "CARD"),
        ("3300000000000000", "CARD"),
    ],
)
def test_the_brand_is_read_from_the_leading_digits(number: str, brand: str) -> None:
    assert card_brand(number) == brand


def test_a_card_shows_only_its_bin_and_last_four() -> None:
    assert mask_card_number("4111111111111111") == "411111******1111"
    assert mask_card_number("4222222222222") == "422222***2222"
    assert mask_card_number("422222222222") == "****"
    assert mask_card_number("42222222222a2") == "****"
    card = CardDetails(**CARD)
    assert repr(card) == "CardDetails(411111******1111, 12/2030)"


def test_one_problem_is_raised_as_itself_and_several_together() -> None:
    problems = Problems()
    problems.raise_any()  # nothing to report
    problems.add(["a"], "first")
    with pytest.raises(GatewayError) as one:
        problems.raise_any()
    assert (one.value.code, one.value.field, one.value.message) == (
        ErrorCode.VALIDATION,
        ("a",),
        "first",
    )
    assert not isinstance(one.value, GatewayErrors)
    problems.add(["b"], "second", ErrorCode.INVALID_CARD)
    with pytest.raises(GatewayErrors) as many:
        problems.raise_any()
    assert [(e.field, e.code) for e in many.value.errors] == [
        (("a",), ErrorCode.VALIDATION),
        (("b",), ErrorCode.INVALID_CARD),
    ]


@pytest.mark.parametrize("country", ["US", "CA", "AU", "IN", "BR", "MX", "us"])
def test_countries_that_need_a_state_refuse_an_address_without_one(country: str) -> None:
    problems, _ = address_problems(country_code=country, state_or_province=" ")
    upper = country.upper()
    assert problems == [
        (("address", "state_or_province"), f"The state or province is required for {upper}.")
    ]
    assert address_problems(country_code=country, state_or_province=None)[0] == problems


@pytest.mark.parametrize("country", ["GB", "DE", "FR"])
def test_other_countries_take_an_address_without_a_state(country: str) -> None:
    problems, checked = address_problems(country_code=country, state_or_province=None)
    assert problems == []
    assert checked.country_code == country


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+1 (512) 555-0100", "+15125550100"),
        ("+44 20.7946.0958", "+442079460958"),
        ("15125550100", "15125550100"),
        ("+15125550100x123", "+15125550100x123"),
    ],
)
def test_phones_lose_their_punctuation(typed: str, stored: str) -> None:
    problems, checked = address_problems(phone=typed)
    assert problems == []
    assert checked.phone == stored


PHONE_RULE = "The phone must be an international number like +15125550100."


@pytest.mark.parametrize(
    "phone", ["0512555", "+0123", "call me", "+1234567890123456", "+1", "+15125550100x123456"]
)
def test_phones_that_are_not_international_numbers_are_refused(phone: str) -> None:
    problems, _ = address_problems(phone=phone)
    assert problems == [(("address", "phone"), PHONE_RULE)]


def test_a_blank_phone_is_dropped() -> None:
    problems, checked = address_problems(phone="  ")
    assert problems == []
    assert checked.phone is None


def test_an_address_is_returned_normalised() -> None:
    problems, checked = address_problems(country_code=" gb ", email="  jane@example.com ")
    assert problems == []
    assert checked.country_code == "GB"
    assert checked.email == "jane@example.com"
    assert checked.first_name == "Jane" and checked.city == "Austin"
    assert checked.state_or_province == "Texas"
    _, blank = address_problems(country_code=None, email=None, phone=None)
    assert (blank.country_code, blank.email, blank.phone) == (None, None, None)


def test_every_missing_required_field_is_named() -> None:
    problems = Problems()
    check_address(Address(), problems, ["address"])
    assert [(e.field, e.message) for e in problems.errors] == [
        (("address", "first_name"), "The first name is required."),
        (("address", "last_name"), "The last name is required."),
        (("address", "email"), "The email is required."),
        (("address", "address1"), "The address1 is required."),
        (("address", "city"), "The city is required."),
        (("address", "country_code"), "The country code is required."),
        (("address", "postal_code"), "The postal code is required."),
    ]


@pytest.mark.parametrize(
    ("email", "good"),
    [
        ("jane@example.com", True),
        ("a" * 64 + "@example.com", True),
        ("a" * 65 + "@example.com", False),
        ("jane@example.c", False),
        ("jane@@example.com", False),
        ("jane doe@example.com", False),
        ("jane@example", False),
    ],
)
def test_emails(email: str, good: bool) -> None:
    problems, _ = address_problems(email=email)
    expected = [] if good else [(("address", "email"), "The email is not a valid email address.")]
    assert problems == expected


def test_an_unknown_country_is_refused() -> None:
    problems, _ = address_problems(country_code="XX")
    assert problems == [
        (("address", "country_code"), "The country code must be an ISO 3166-1 alpha-2 code.")
    ]


def test_text_rules() -> None:
    problems = Problems()
    check_text(None, problems, ["a", "first_name"])
    check_text("  ", problems, ["a", "first_name"])
    check_text("x" * 255, problems, ["a", "first_name"])
    assert problems.errors == []
    check_text(None, problems, ["a", "first_name"], required=True)
    check_text("x" * 256, problems, ["a", "city"])
    check_text("xx", problems, ["a", "city"], max_length=1)
    check_text("a\x1fb", problems, ["a", "city"])
    check_text("a\x7f", problems, ["a", "city"])
    assert [(e.field, e.message) for e in problems.errors] == [
        (("a", "first_name"), "The first name is required."),
        (("a", "city"), "The city must be at most 255 characters."),
        (("a", "city"), "The city must be at most 1 characters."),
        (("a", "city"), "The city must not contain control characters."),
        (("a", "city"), "The city must not contain control characters."),
    ]
    tabs = Problems()
    check_text("a\tb\nc\rd", tabs, ["a"])
    assert tabs.errors == []


@pytest.mark.parametrize(
    ("quantity", "good"), [(0, False), (1, True), (10_000, True), (10_001, False), (-1, False)]
)
def test_quantity_bounds(quantity: int, good: bool) -> None:
    problems = Problems()
    check_quantity(quantity, problems, ["line_items", "0", "quantity"])
    expected = (
        []
        if good
        else [(("line_items", "0", "quantity"), "The quantity must be between 1 and 10000.")]
    )
    assert [(e.field, e.message) for e in problems.errors] == expected


@pytest.mark.parametrize(
    ("value", "good"), [(None, True), (1, True), (2**31 - 1, True), (0, False), (2**31, False)]
)
def test_positive_ids(value: int | None, good: bool) -> None:
    problems = Problems()
    check_positive_id(value, problems, ["customer_id"])
    expected = [] if good else [(("customer_id",), "The customer id must be a positive id.")]
    assert [(e.field, e.message) for e in problems.errors] == expected


@pytest.mark.parametrize(
    ("value", "good"), [(None, True), ("USD", True), ("usd", False), ("US", False), ("USDX", False)]
)
def test_currency_codes(value: str | None, good: bool) -> None:
    problems = Problems()
    check_currency(value, problems, ["currency_code"])
    message = "The currency code must be an ISO 4217 code such as USD."
    assert [(e.field, e.message) for e in problems.errors] == (
        [] if good else [(("currency_code",), message)]
    )


@pytest.mark.parametrize(
    ("value", "good"),
    [
        (None, True),
        ("k", True),
        ("k" * 255, True),
        ("", False),
        ("k" * 256, False),
        ("k\x00", False),
    ],
)
def test_idempotency_keys(value: str | None, good: bool) -> None:
    problems = Problems()
    check_idempotency_key(value, problems)
    message = "The idempotency key must be 1 to 255 printable characters."
    assert [(e.field, e.message) for e in problems.errors] == (
        [] if good else [(("idempotency_key",), message)]
    )


class Text(str):
    """A str subclass: spelled like an id, but not the plain str an id is kept as."""


@pytest.mark.parametrize(
    "value",
    [
        "6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5d",
        "6F5C1A8E-0E7B-4A3A-9D2A-3B1E1F2A4C5D",
        "6f5c1a8e-0e7b-4a3a-9d2a-3B1e1f2a4c5d",
        "{6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5d}",
        "urn:uuid:6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5d",
        "6f5c1a8e0e7b4a3a9d2a3b1e1f2a4c5d",
        "6f5c1a8e-0e7b4a3a-9d2a-3b1e-1f2a4c5d",
        " 6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5d",
        "6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5d\n",
        "6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5",
        "6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5dd",
        "6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5g",
        "६f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5d",
        Text("6f5c1a8e-0e7b-4a3a-9d2a-3b1e1f2a4c5d"),
        "",
        "nope",
        None,
        42,
    ],
)
def test_a_checkout_id_has_the_one_spelling_uuid_gives_it(value: Any) -> None:
    """The recognised spelling is a shortcut only: every value gets what ``uuid.UUID`` says."""
    try:
        expected: str | None = str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        expected = None
    found = canonical_checkout_id(value)
    assert found == expected
    assert found is None or found.__class__ is str


def test_checkout_ids_are_uuids_or_not_found() -> None:
    upper = "6F5C1A8E-0E7B-4A3A-9D2A-3B1E1F2A4C5D"
    assert checkout_id_or_not_found(upper) == upper.lower()
    for bad in ("nope", "../../v2/orders/1", ""):
        with pytest.raises(GatewayError) as caught:
            checkout_id_or_not_found(bad)
        assert (caught.value.code, caught.value.field, caught.value.message) == (
            ErrorCode.NOT_FOUND,
            ("checkout_id",),
            "Not found.",
        )


def problems_of(**changes: object) -> dict[str, ErrorCode]:
    base = {
        "number": "4111111111111111",
        "cardholder_name": "Jane Doe",
        "expiry_month": 12,
        "expiry_year": 2030,
        "verification_value": "123",
    }
    card = CardDetails(**{**base, **changes})  # type: ignore[arg-type]
    problems = Problems()
    check_card(card, problems, ["card"], today=TODAY)
    for error in problems.errors:
        for value in (card.number, card.verification_value):
            assert len(value) < 3 or value not in error.message
    return {error.field[-1]: error.code for error in problems.errors if error.field}


def test_a_good_card_has_no_problems() -> None:
    assert problems_of() == {}
    assert problems_of(number="4111 1111 1111 1111") == {}
    assert problems_of(number="378282246310005", verification_value="1234") == {}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"number": "4111111111111112"}, {"number": ErrorCode.INVALID_CARD}),
        ({"number": "411111111111"}, {"number": ErrorCode.INVALID_CARD}),  # 12 digits
        ({"number": "41111111111111111113"}, {"number": ErrorCode.INVALID_CARD}),  # 20
        ({"number": "4111abcd11111111"}, {"number": ErrorCode.INVALID_CARD}),
        ({"number": "\uff14" + "\uff11" * 15}, {"number": ErrorCode.INVALID_CARD}),  # fullwidth
        (
            {"verification_value": "\u0661\u0662\u0663"},
            {"verification_value": ErrorCode.INVALID_CARD},
        ),
        ({"verification_value": "12345"}, {"verification_value": ErrorCode.INVALID_CARD}),
        ({"verification_value": "12a"}, {"verification_value": ErrorCode.INVALID_CARD}),
        ({"number": "378282246310005"}, {"verification_value": ErrorCode.INVALID_CARD}),
        ({"expiry_month": 0}, {"expiry_month": ErrorCode.VALIDATION}),
        ({"expiry_year": 30}, {"expiry_year": ErrorCode.VALIDATION}),
        ({"expiry_year": 2026, "expiry_month": 10}, {"expiry_year": ErrorCode.CARD_EXPIRED}),
        ({"cardholder_name": ""}, {"cardholder_name": ErrorCode.VALIDATION}),
    ],
)
def test_each_problem_names_its_field(
    changes: dict[str, object], expected: dict[str, ErrorCode]
) -> None:
    assert problems_of(**changes) == expected


def test_current_month_is_not_expired() -> None:
    assert problems_of(expiry_year=2026, expiry_month=11) == {}


def test_luhn_and_mask() -> None:
    assert luhn_ok("4242424242424242") and not luhn_ok("4242424242424241")
    assert mask_card_number("4111111111111111") == "411111******1111"
    card = CardDetails("4111111111111111", "Jane", 12, 2030, "123")
    assert "4111111111111111" not in repr(card) and "123" not in repr(card).split(",")[0]
