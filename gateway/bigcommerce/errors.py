"""BigCommerce error responses mapped to the contract's codes, in one place.

BigCommerce answers in three shapes (v3 management ``{status,title,type,errors}``,
payments ``{status,title,type,code}``, v2 bare ``[{status,message}]``, plus the
get-checkout 404 ``{"errors": [...]}``). Their text never reaches a client:
each code gets a message of ours, and field errors keep only the field path.

How a refused field is named, once for every call: BigCommerce's path (``0.address.country_code``)
is split into segments, the call's ``FieldPath`` places it in the domain's input (dropping the
body's own wrapping, e.g. the consignment array's ``0``), and the message names the field in
words (``the country code``): no REST key, dot path or REST index reaches a client. Refusals
that name no field (a currency the store does not sell in, an order the checkout is not ready
for) are named by the call's ``InputRule.unnamed``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.bigcommerce.calls import CallClass
from gateway.errors import Effect, ErrorCode, GatewayError

# Payments API error codes (docs: store-operations/payments) -> contract codes.
PAYMENT_CODES: dict[int, ErrorCode] = {
    10000: ErrorCode.UPSTREAM_UNAVAILABLE,
    10001: ErrorCode.VALIDATION,
    30000: ErrorCode.PAYMENT_METHOD_NOT_ACCEPTED,
    30001: ErrorCode.PAYMENT_METHOD_NOT_ACCEPTED,
    30002: ErrorCode.PAYMENT_METHOD_NOT_ACCEPTED,
    30003: ErrorCode.NOT_FOUND,
    30004: ErrorCode.CONFLICT,
    30050: ErrorCode.INVALID_CARD,
    30051: ErrorCode.STORED_INSTRUMENT_NOT_FOUND,
    30100: ErrorCode.UPSTREAM_UNAVAILABLE,
    30101: ErrorCode.ORDER_NOT_PAYABLE,
    30102: ErrorCode.INVALID_CARD,
    30103: ErrorCode.CARD_EXPIRED,
    30104: ErrorCode.PAYMENT_DECLINED,
    30105: ErrorCode.DUPLICATE_TRANSACTION,
    30106: ErrorCode.INSUFFICIENT_FUNDS,
    30107: ErrorCode.PAYMENT_DECLINED,
}

MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.VALIDATION: "The store rejected the input.",
    ErrorCode.NOT_FOUND: "Not found.",
    ErrorCode.CONFLICT: "The checkout changed since it was read; read it again and retry.",
    ErrorCode.INVALID_CARD: "The card details could not be verified.",
    ErrorCode.CARD_EXPIRED: "The card has expired.",
    ErrorCode.PAYMENT_DECLINED: "The payment was declined; use another card or ask the issuer.",
    ErrorCode.INSUFFICIENT_FUNDS: "The payment was declined for insufficient funds.",
    ErrorCode.STORED_INSTRUMENT_NOT_FOUND: "The stored payment instrument was not found.",
    ErrorCode.PAYMENT_METHOD_NOT_ACCEPTED: "This payment method is not accepted for the order.",
    ErrorCode.ORDER_NOT_PAYABLE: "The order cannot be paid: it is not awaiting payment.",
    ErrorCode.DUPLICATE_TRANSACTION: "A payment for this order was already made; do not pay again.",
    ErrorCode.RATE_LIMITED: "The store is busy; retry after the indicated wait.",
    ErrorCode.UPSTREAM_UNAVAILABLE: "The store is not reachable right now; retry shortly.",
    ErrorCode.UPSTREAM_AUTH: "The gateway is not authorised by the store; contact its operator.",
}

SPECIFIC_MESSAGES: dict[int, str] = {
    30004: "The order total changed since the order was created; create the order again.",
    30050: "The card could not be saved.",
    30107: "The stored account's authorization was revoked.",
}


# Turns the path of a REST field BigCommerce named into the domain's path for that input.
FieldPath = Callable[[list[str]], list[str]]


def as_named(path: list[str]) -> list[str]:
    """BigCommerce's snake_case names are the domain's own."""
    return path


@dataclass(frozen=True)
class Refusal:
    """A refusal the store made without naming a field, named by the gateway."""

    field: list[str]
    message: str


# (status, body) of a 4xx naming no field -> what the gateway can name, or None.
Unnamed = Callable[[int, Any], Refusal | None]


@dataclass(frozen=True)
class InputRule:
    """A call's ``FieldPath``, plus what a refusal naming no field is about."""

    place: FieldPath = as_named
    unnamed: Unnamed | None = None

    def __call__(self, path: list[str]) -> list[str]:
        return self.place(path)


def currency_refused(status: int, body: Any) -> Refusal | None:
    # carts.v3.yml: "Passing a non-transactional display currency will result in a 400 error."
    if status != 400:
        return None
    return Refusal(["currency_code"], "The store does not sell in this currency.")


# (words in the store's title, our message), first match wins.
ORDER_STEPS: tuple[tuple[str, str], ...] = (
    (
        "billing address for this order is incomplete",
        "The checkout's billing address is incomplete: add it again, whole, before creating "
        "the order.",
    ),
    ("billing", "The checkout has no billing address: add one before creating the order."),
    (
        "shipping method",
        "No shipping option is selected: select one for every consignment before creating "
        "the order.",
    ),
    (
        "shipping address",
        "The checkout has no complete shipping address: add a consignment for every line item "
        "before creating the order.",
    ),
)
ORDER_NOT_READY = (
    "The checkout is not ready for an order: add the billing address, a consignment and "
    "a shipping option first."
)


def order_step_missing(status: int, body: Any) -> Refusal | None:
    """createOrder's 422 names no field, only the step missing (in its title, which is
    read to choose our message and never passed on): it is the checkout's, not an input's."""
    if status != 422:
        return None
    title = str(body.get("title") or "").lower() if isinstance(body, Mapping) else ""
    for words, message in ORDER_STEPS:
        if words in title:
            return Refusal(["checkout_id"], message)
    return Refusal(["checkout_id"], ORDER_NOT_READY)


def field_words(path: Sequence[str]) -> str:
    """``["line_items", "0", "item_id"]`` -> ``the item id``: the field in words, for messages."""
    names = [part for part in path if not part.isdigit()]
    return "the " + (names[-1].replace("_", " ") if names else "input")


class UpstreamError(GatewayError):
    """A failure talking to BigCommerce; its ``effect`` is decided where it is made."""

    def __init__(
        self,
        code: ErrorCode,
        message: str | None = None,
        field: Sequence[str] | None = None,
        *,
        effect: Effect,
        status: int | None = None,
        bc_code: int | None = None,
        retry_after_ms: int | None = None,
    ) -> None:
        extensions: dict[str, Any] = {}
        if retry_after_ms is not None:
            extensions["retryAfterMs"] = retry_after_ms
        self.status = status
        self.bc_code = bc_code
        self.retry_after_ms = retry_after_ms
        super().__init__(
            code,
            message or MESSAGES.get(code, "Upstream error."),
            field,
            extensions=extensions,
            effect=effect,
        )


def unavailable(
    effect: Effect, *, status: int | None = None, retry_after_ms: int | None = None
) -> UpstreamError:
    return UpstreamError(
        ErrorCode.UPSTREAM_UNAVAILABLE, effect=effect, status=status, retry_after_ms=retry_after_ms
    )


class MalformedAnswer(ValueError):
    """A 2xx body that does not hold what the call promised (the client decides the effect)."""


def error_from_response(
    status: int,
    body: Any,
    call: CallClass,
    *,
    field_path: FieldPath = as_named,
    retry_after_ms: int | None = None,
) -> UpstreamError:
    """The contract error for a non-2xx BigCommerce response to a call of class ``call``."""
    if status == 429:
        # Refused before acting: waiting and resending is safe, payments included.
        return UpstreamError(
            ErrorCode.RATE_LIMITED, effect=Effect.NONE, status=status, retry_after_ms=retry_after_ms
        )
    answered = call.effect(answered=True)
    bc_code = _payment_code(body)
    if bc_code is not None and bc_code in PAYMENT_CODES:
        code = PAYMENT_CODES[bc_code]
        if code is ErrorCode.UPSTREAM_UNAVAILABLE and (call is CallClass.PAYMENT or status >= 500):
            # The processor failed after the payment was handed to it.
            return unavailable(call.effect(answered=False), status=status)
        named = _field_errors(body) if code is ErrorCode.VALIDATION else []
        rest = _rest_path(named[0]) if named else _instrument_field(code)
        field = field_path(rest) if rest is not None else None
        message = SPECIFIC_MESSAGES.get(bc_code)
        if message is None and named and field is not None:
            message = _refused(field)
        return UpstreamError(
            code, message, status=status, bc_code=bc_code, field=field, effect=answered
        )
    if status >= 500:
        return unavailable(call.effect(answered=False), status=status)
    if status in (401, 403):
        return UpstreamError(ErrorCode.UPSTREAM_AUTH, status=status, effect=answered)
    if status == 404:
        return UpstreamError(ErrorCode.NOT_FOUND, status=status, effect=answered)
    if status == 409:
        return UpstreamError(ErrorCode.CONFLICT, status=status, effect=answered)
    fields = _field_errors(body)
    if fields:
        path = field_path(_rest_path(fields[0]))
        return UpstreamError(
            ErrorCode.VALIDATION, _refused(path), path, status=status, effect=answered
        )
    unnamed = field_path.unnamed if isinstance(field_path, InputRule) else None
    refusal = unnamed(status, body) if unnamed is not None else None
    if refusal is not None:
        return UpstreamError(
            ErrorCode.VALIDATION, refusal.message, refusal.field, status=status, effect=answered
        )
    return UpstreamError(ErrorCode.VALIDATION, status=status, effect=answered)


def _refused(path: Sequence[str]) -> str:
    words = field_words(path)
    return f"The store did not accept {words}; check {words} and try again."


def _payment_code(body: Any) -> int | None:
    if isinstance(body, Mapping):
        code = body.get("code")
        if isinstance(code, int):
            return code
    return None


def _instrument_field(code: ErrorCode) -> list[str] | None:
    """The REST field a payment code is about, though the body names none; the payment
    call's ``FieldPath`` places it in the domain's input (a new card, or a stored one)."""
    if code is ErrorCode.CARD_EXPIRED:
        return ["payment", "instrument", "expiry_year"]
    if code is ErrorCode.INVALID_CARD:
        return ["payment", "instrument"]
    if code is ErrorCode.STORED_INSTRUMENT_NOT_FOUND:
        return ["payment", "instrument", "token"]
    return None


def _field_errors(body: Any) -> list[str]:
    """Names of the fields a v3 error body complains about (``errors`` object keys)."""
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            return [str(key) for key in errors]
    return []


_SEGMENT = re.compile(r"[.\[\]]+")


def _rest_path(name: str) -> list[str]:
    """``0.address.first_name`` -> ``["0", "address", "first_name"]`` (indexes kept as text)."""
    return [part for part in _SEGMENT.split(name) if part]
