"""Card checks: Luhn, length, expiry, CVV; messages never carry the value."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.domain.validation import (
    CardDetails,
    Problems,
    check_card,
    mask_card_number,
)
from gateway.errors import ErrorCode
from gateway.redaction import luhn_ok

TODAY = dt.date(2026, 11, 27)


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
