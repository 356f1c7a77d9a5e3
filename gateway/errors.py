"""The gateway's error vocabulary, shared by the adapter, the domain and the schema.

Every expected failure is a ``GatewayError`` carrying one ``ErrorCode`` of the
contract; the schema turns it into a ``UserError`` (mutations) or a top-level
GraphQL error with ``extensions.code`` (queries). Messages are written by us,
never copied from BigCommerce, and never contain card data.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gateway.domain.models import Order


class ErrorCode(Enum):
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_CARD = "INVALID_CARD"
    CARD_EXPIRED = "CARD_EXPIRED"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    STORED_INSTRUMENT_NOT_FOUND = "STORED_INSTRUMENT_NOT_FOUND"
    PAYMENT_METHOD_NOT_ACCEPTED = "PAYMENT_METHOD_NOT_ACCEPTED"
    ORDER_NOT_PAYABLE = "ORDER_NOT_PAYABLE"
    DUPLICATE_TRANSACTION = "DUPLICATE_TRANSACTION"
    PAYMENT_OUTCOME_UNKNOWN = "PAYMENT_OUTCOME_UNKNOWN"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS"
    RATE_LIMITED = "RATE_LIMITED"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    UPSTREAM_AUTH = "UPSTREAM_AUTH"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    COUPON_INVALID = "COUPON_INVALID"


class GatewayError(Exception):
    """An expected failure with a contract code, a safe message and an optional field path.

    ``reached_upstream`` says whether BigCommerce may have acted on the request:
    when it did not, an idempotency key keeps nothing and may be used again.
    ``order`` is the order the failure concerns, shown beside the error.
    """

    reached_upstream = False

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: Sequence[str] | None = None,
        *,
        extensions: dict[str, Any] | None = None,
        order: Order | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = list(field) if field is not None else None
        # Extra, safe facts for the client (e.g. retryAfterMs on RATE_LIMITED).
        self.extensions = dict(extensions or {})
        self.order = order

    def __repr__(self) -> str:
        return f"GatewayError({self.code.value}, {self.message!r}, field={self.field})"


class GatewayErrors(Exception):
    """Several input errors found at once (all fields are checked before giving up)."""

    def __init__(self, errors: Sequence[GatewayError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)
