"""Input checks made before any upstream call.

Each failure names the field by the domain's path (snake_case names; the schema
spells it for clients). Messages describe the rule, never the value: a card
number or CVV must not come back in an error.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.domain.countries import ISO_3166_ALPHA2, STATE_REQUIRED
from gateway.domain.models import Address
from gateway.errors import ErrorCode, GatewayError, GatewayErrors
from gateway.redaction import luhn_ok

NOT_FOUND = "Not found."
MAX_TEXT = 255
MAX_QUANTITY = 10_000
MAX_IDEMPOTENCY_KEY = 255
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[1-9]\d{1,14}(x\d{1,5})?$")
PHONE_NOISE = re.compile(r"[\s().\-]")
CURRENCY = re.compile(r"^[A-Z]{3}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A UUID as BigCommerce writes it (and ``str(uuid.UUID(...))`` too): lower-case, hyphenated.
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class CardDetails:
    """A new card, as the shopper typed it. Never printed: repr shows brand and last 4 only."""

    number: str = field(repr=False)
    cardholder_name: str = field(repr=False)
    expiry_month: int
    expiry_year: int
    verification_value: str = field(repr=False)

    @property
    def digits(self) -> str:
        return re.sub(r"[\s-]", "", self.number)

    def __repr__(self) -> str:
        return (
            f"CardDetails({mask_card_number(self.digits)}, {self.expiry_month}/{self.expiry_year})"
        )


class Problems:
    """Collects every problem in one input, so the client can fix them all at once."""

    def __init__(self) -> None:
        self.errors: list[GatewayError] = []

    def add(
        self, path: Sequence[str], message: str, code: ErrorCode = ErrorCode.VALIDATION
    ) -> None:
        self.errors.append(GatewayError(code, message, list(path)))

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise GatewayErrors(self.errors)


ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_digits(text: str) -> bool:
    """0-9 only: str.isdigit() also accepts other scripts' digits, which no card network uses."""
    return ASCII_DIGITS.fullmatch(text) is not None


def card_brand(digits: str) -> str:
    if digits[:2] in ("34", "37"):
        return "AMEX"
    if digits[:1] == "4":
        return "VISA"
    if digits[:2] in ("51", "52", "53", "54", "55") or "2221" <= digits[:4] <= "2720":
        return "MASTERCARD"
    if digits[:4] == "6011" or digits[:2] == "65":
        return "DISCOVER"
    return "CARD"


def mask_card_number(digits: str) -> str:
    """At most the BIN and the last four (PCI DSS display rule)."""
    if len(digits) < 13 or not ascii_digits(digits):
        return "****"
    return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"


def check_card(
    card: CardDetails, problems: Problems, path: Sequence[str], today: dt.date | None = None
) -> None:
    today = today or dt.date.today()
    digits = card.digits
    number_path = [*path, "number"]
    if not ascii_digits(digits):
        problems.add(
            number_path, "The card number must contain only digits.", ErrorCode.INVALID_CARD
        )
    elif not 13 <= len(digits) <= 19:
        problems.add(
            number_path, "The card number must have 13 to 19 digits.", ErrorCode.INVALID_CARD
        )
    elif not luhn_ok(digits):
        problems.add(
            number_path, "The card number is not valid (check digit).", ErrorCode.INVALID_CARD
        )
    name = card.cardholder_name.strip()
    if not name or len(name) > 100 or CONTROL.search(name) or name.isdigit():
        problems.add([*path, "cardholder_name"], "The cardholder name must be 1 to 100 letters.")
    month_ok = 1 <= card.expiry_month <= 12
    if not month_ok:
        problems.add([*path, "expiry_month"], "The expiry month must be 1 to 12.")
    if not 1000 <= card.expiry_year <= 9999:
        problems.add([*path, "expiry_year"], "The expiry year must have four digits.")
    elif month_ok and (card.expiry_year, card.expiry_month) < (today.year, today.month):
        problems.add([*path, "expiry_year"], "The card has expired.", ErrorCode.CARD_EXPIRED)
    check_cvv(
        card.verification_value,
        problems,
        [*path, "verification_value"],
        amex=ascii_digits(digits) and card_brand(digits) == "AMEX",
    )


def check_cvv(value: str, problems: Problems, path: Sequence[str], amex: bool | None) -> None:
    lengths = {4} if amex else {3} if amex is False else {3, 4}
    if not ascii_digits(value) or len(value) not in lengths:
        wanted = "4 digits" if amex else "3 digits" if amex is False else "3 or 4 digits"
        problems.add(path, f"The card security code must be {wanted}.", ErrorCode.INVALID_CARD)


def check_text(
    value: str | None,
    problems: Problems,
    path: Sequence[str],
    *,
    required: bool = False,
    max_length: int = MAX_TEXT,
) -> None:
    if value is None or not value.strip():
        if required:
            problems.add(path, f"{_named(path)} is required.")
        return
    if len(value) > max_length:
        problems.add(path, f"{_named(path)} must be at most {max_length} characters.")
    elif CONTROL.search(value):
        problems.add(path, f"{_named(path)} must not contain control characters.")


def check_address(address: Address, problems: Problems, path: Sequence[str]) -> Address:
    """Check an address (BigCommerce needs it whole to create an order); return it normalised."""
    required = {
        "first_name",
        "last_name",
        "address1",
        "city",
        "country_code",
        "email",
        "postal_code",
    }
    for name in Address.__slots__:
        if name == "id":
            continue
        value = getattr(address, name)
        check_text(value, problems, [*path, name], required=name in required)
    email = address.email
    if email and email.strip() and not EMAIL.match(email.strip()):
        problems.add([*path, "email"], "The email is not a valid email address.")
    country = (address.country_code or "").strip().upper()
    if country and country not in ISO_3166_ALPHA2:
        problems.add(
            [*path, "country_code"], "The country code must be an ISO 3166-1 alpha-2 code."
        )
    if country in STATE_REQUIRED and not (address.state_or_province or "").strip():
        problems.add(
            [*path, "state_or_province"], f"The state or province is required for {country}."
        )
    phone = address.phone
    if phone and phone.strip():
        phone = PHONE_NOISE.sub("", phone)
        if not PHONE.match(phone):
            problems.add(
                [*path, "phone"], "The phone must be an international number like +15125550100."
            )
    return Address(
        **{
            name: getattr(address, name)
            for name in Address.__slots__
            if name not in ("country_code", "phone", "email")
        },
        country_code=country or None,
        phone=(phone or "").strip() or None,  # a blank phone is no phone, as for the email
        email=(email or "").strip() or None,
    )


def check_quantity(value: int, problems: Problems, path: Sequence[str]) -> None:
    if not 0 < value <= MAX_QUANTITY:
        problems.add(path, f"The quantity must be between 1 and {MAX_QUANTITY}.")


def check_positive_id(value: int | None, problems: Problems, path: Sequence[str]) -> None:
    if value is not None and not 0 < value < 2**31:
        problems.add(path, f"{_named(path)} must be a positive id.")


def check_currency(value: str | None, problems: Problems, path: Sequence[str]) -> None:
    if value is not None and not CURRENCY.match(value):
        problems.add(path, "The currency code must be an ISO 4217 code such as USD.")


def check_idempotency_key(
    value: str | None, problems: Problems, path: Sequence[str] = ("idempotency_key",)
) -> None:
    if value is None:
        return
    if not value or len(value) > MAX_IDEMPOTENCY_KEY or CONTROL.search(value):
        problems.add(
            path, f"The idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters."
        )


def checkout_id_or_not_found(value: str) -> str:
    """BigCommerce checkout ids are cart UUIDs; anything else cannot exist upstream."""
    checkout_id = canonical_checkout_id(value)
    if checkout_id is None:
        raise GatewayError(ErrorCode.NOT_FOUND, NOT_FOUND, ["checkout_id"])
    return checkout_id


def canonical_checkout_id(value: str) -> str | None:
    """The one spelling of a checkout id (``{ABC-...}`` is ``abc-...``, as ``uuid.UUID``
    writes it); None for what cannot be one.

    The id as BigCommerce and clients send it is already that spelling: it is recognised
    as such (a seventh of the work of parsing it), and anything else is parsed.
    """
    if value.__class__ is str and CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


def _named(path: Sequence[str]) -> str:
    """``["address", "first_name"]`` -> ``The first name``: the field in words, for messages."""
    return "The " + path[-1].replace("_", " ")
