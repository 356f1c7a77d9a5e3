"""The gateway's error vocabulary, shared by the adapter, the domain and the schema.

Every expected failure is a ``GatewayError`` carrying one ``ErrorCode`` of the
contract; the schema turns it into a ``UserError`` (mutations) or a top-level
GraphQL error with ``extensions.code`` (queries). Messages are written by us,
never copied from BigCommerce, and never contain card data.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any


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


class Effect(Enum):
    """What the failed work may have done upstream: the one fact behind retries and keys.

    NONE: nothing that matters happened (never sent, refused before acting, or a read);
    resending is safe and an idempotency key keeps nothing.
    APPLIED: the upstream answered a call that acts (a decline, an order refused): that
    answer is the outcome, and an idempotency key keeps it.
    UNKNOWN: sent, and it may have acted without us learning how: never resent.
    """

    NONE = "none"
    APPLIED = "applied"
    UNKNOWN = "unknown"


class GatewayError(Exception):
    """An expected failure with a contract code, a safe message and an optional field path.

    ``field`` is the domain's path to the input at fault (snake_case names, list
    indexes as text); the schema spells it for clients. ``effect`` is decided once,
    by whoever made the error; the error cannot be changed after it is made.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: Sequence[str] | None = None,
        *,
        extensions: dict[str, Any] | None = None,
        effect: Effect = Effect.NONE,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field: tuple[str, ...] | None = tuple(field) if field is not None else None
        # Extra, safe facts for the client (e.g. retryAfterMs on RATE_LIMITED).
        self.extensions: dict[str, Any] = dict(extensions or {})
        self.effect = effect
        self._sealed = True

    def __setattr__(self, name: str, value: Any) -> None:
        # Python itself sets dunders (traceback, cause) on raised exceptions.
        if getattr(self, "_sealed", False) and not name.startswith("__"):
            raise AttributeError(f"{type(self).__name__} is immutable once made")
        super().__setattr__(name, value)

    def __repr__(self) -> str:
        where = f"field={self.field}, effect={self.effect.value}"
        return f"GatewayError({self.code.value}, {self.message!r}, {where})"


class GatewayErrors(Exception):
    """Several input errors found at once (all fields are checked before giving up)."""

    def __init__(self, errors: Sequence[GatewayError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)
