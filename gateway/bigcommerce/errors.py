"""BigCommerce error responses mapped to the contract's codes, in one place.

BigCommerce answers in three shapes (v3 management ``{status,title,type,errors}``,
payments ``{status,title,type,code}``, v2 bare ``[{status,message}]``, plus the
get-checkout 404 ``{"errors": [...]}``). Their text never reaches a client:
each code gets a message of ours, and field errors keep only the field path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from gateway.errors import ErrorCode, GatewayError

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


class UpstreamError(GatewayError):
    """A failure talking to BigCommerce.

    ``reached`` tells whether the request may have had an effect upstream: a
    refused connection, a 429 or an open breaker did not, so an idempotency
    key may be used again; a decline or a 5xx after sending did.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str | None = None,
        field: Sequence[str] | None = None,
        *,
        status: int | None = None,
        bc_code: int | None = None,
        reached: bool = True,
        outcome_unknown: bool = False,
        retry_after_ms: int | None = None,
    ) -> None:
        extensions: dict[str, Any] = {}
        if retry_after_ms is not None:
            extensions["retryAfterMs"] = retry_after_ms
        super().__init__(
            code, message or MESSAGES.get(code, "Upstream error."), field, extensions=extensions
        )
        self.status = status
        self.bc_code = bc_code
        self.reached = reached
        # Refined by the transport, which knows whether the call could have had an effect.
        self.reached_upstream = reached
        self.outcome_unknown = outcome_unknown
        self.retry_after_ms = retry_after_ms


def unavailable(
    *, reached: bool, outcome_unknown: bool = False, status: int | None = None
) -> UpstreamError:
    return UpstreamError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        status=status,
        reached=reached,
        outcome_unknown=outcome_unknown,
    )


def error_from_response(
    status: int,
    body: Any,
    *,
    field_prefix: Sequence[str] = ("input",),
    retry_after_ms: int | None = None,
    payment_sent: bool = False,
) -> UpstreamError:
    """The contract error for a non-2xx BigCommerce response."""
    if status == 429:
        return UpstreamError(
            ErrorCode.RATE_LIMITED, status=status, reached=False, retry_after_ms=retry_after_ms
        )
    bc_code = _payment_code(body)
    if bc_code is not None and bc_code in PAYMENT_CODES:
        code = PAYMENT_CODES[bc_code]
        if code is ErrorCode.UPSTREAM_UNAVAILABLE and payment_sent:
            return unavailable(reached=True, outcome_unknown=True, status=status)
        return UpstreamError(
            code,
            SPECIFIC_MESSAGES.get(bc_code),
            status=status,
            bc_code=bc_code,
            field=_card_field(code, field_prefix),
        )
    if status >= 500:
        return unavailable(reached=True, outcome_unknown=payment_sent, status=status)
    if status in (401, 403):
        return UpstreamError(ErrorCode.UPSTREAM_AUTH, status=status)
    if status == 404:
        return UpstreamError(ErrorCode.NOT_FOUND, status=status)
    if status == 409:
        return UpstreamError(ErrorCode.CONFLICT, status=status)
    fields = _field_errors(body)
    if fields:
        first = fields[0]
        return UpstreamError(
            ErrorCode.VALIDATION,
            _field_message(first),
            [*field_prefix, *_camel_path(first)],
            status=status,
        )
    return UpstreamError(ErrorCode.VALIDATION, status=status)


def _payment_code(body: Any) -> int | None:
    if isinstance(body, Mapping):
        code = body.get("code")
        if isinstance(code, int):
            return code
    return None


def _card_field(code: ErrorCode, prefix: Sequence[str]) -> list[str] | None:
    if code is ErrorCode.CARD_EXPIRED:
        return [*prefix, "card", "expiryYear"]
    if code is ErrorCode.INVALID_CARD:
        return [*prefix, "card"]
    return None


def _field_errors(body: Any) -> list[str]:
    """Names of the fields a v3 error body complains about (``errors`` object keys)."""
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            return [str(key) for key in errors]
    return []


def _field_message(name: str) -> str:
    return f"The store rejected the field {'.'.join(_camel_path(name))}."


_SEGMENT = re.compile(r"[.\[\]]+")


def _camel_path(name: str) -> list[str]:
    """``address.first_name`` -> ``["address", "firstName"]`` (list indexes kept as text)."""
    out = []
    for part in _SEGMENT.split(name):
        if not part:
            continue
        head, *rest = part.split("_")
        out.append(head + "".join(word.capitalize() for word in rest))
    return out
