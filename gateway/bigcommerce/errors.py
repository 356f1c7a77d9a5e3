"""BigCommerce error responses mapped to the contract's codes, in one place.

BigCommerce answers in three shapes (v3 management ``{status,title,type,errors}``,
payments ``{status,title,type,code}``, v2 bare ``[{status,message}]``, plus the
get-checkout 404 ``{"errors": [...]}``). Their text never reaches a client:
each code gets a message of ours, and field errors keep only the field path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
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
        return UpstreamError(
            code,
            SPECIFIC_MESSAGES.get(bc_code),
            status=status,
            bc_code=bc_code,
            field=_card_field(code),
            effect=answered,
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
        first = fields[0]
        return UpstreamError(
            ErrorCode.VALIDATION,
            "The store rejected this field.",
            field_path(_rest_path(first)),
            status=status,
            effect=answered,
        )
    return UpstreamError(ErrorCode.VALIDATION, status=status, effect=answered)


def _payment_code(body: Any) -> int | None:
    if isinstance(body, Mapping):
        code = body.get("code")
        if isinstance(code, int):
            return code
    return None


def _card_field(code: ErrorCode) -> list[str] | None:
    if code is ErrorCode.CARD_EXPIRED:
        return ["card", "expiry_year"]
    if code is ErrorCode.INVALID_CARD:
        return ["card"]
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
