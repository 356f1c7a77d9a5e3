"""Mutation payloads: the result, and every expected failure as a ``UserError``."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar, cast

import strawberry

from gateway.domain.models import OrderError
from gateway.errors import GatewayError, GatewayErrors
from gateway.observability import request_facts
from gateway.schema.types import Cart, Checkout, Order, Payment, RedirectUrls, UserError

T = TypeVar("T")


def input_path(field: Sequence[str] | None) -> list[str] | None:
    """The domain's path to an input (``["card", "expiry_year"]``) as the client wrote it
    (``["input", "card", "expiryYear"]``): the one place GraphQL input names are spelled."""
    if field is None:
        return None
    return ["input", *(_camel(part) for part in field)]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def user_errors(error: GatewayError | GatewayErrors) -> list[UserError]:
    found = error.errors if isinstance(error, GatewayErrors) else [error]
    if found:  # the request's outcome in the access log, metrics and span: not ``ok``
        request_facts.payload_error(found[0].code.value)
    return [
        UserError(
            code=e.code,
            field=input_path(e.field),
            message=e.message,
            retry_after_ms=e.extensions.get("retryAfterMs"),
        )
        for e in found
    ]


async def attempt(work: Awaitable[T]) -> tuple[T | None, list[UserError], Any]:
    """Run a domain call: its result, or the user errors (and the order they concern)."""
    try:
        return await work, [], None
    except GatewayErrors as exc:
        return None, user_errors(exc), None
    except GatewayError as exc:
        return None, user_errors(exc), exc.order if isinstance(exc, OrderError) else None


@strawberry.type
class CreateCartPayload:
    cart: Cart | None
    redirect_urls: RedirectUrls | None
    errors: list[UserError]


@strawberry.type
class CheckoutPayload:
    """Shared by the checkout steps: the checkout as it is after the step."""

    checkout: Checkout | None
    errors: list[UserError]

    @classmethod
    async def of(cls, work: Awaitable[Any]) -> CheckoutPayload:
        checkout, errors, _ = await attempt(work)
        return cls(checkout=cast(Checkout | None, checkout), errors=errors)


@strawberry.type
class CreateOrderPayload:
    order: Order | None
    errors: list[UserError]


@strawberry.type
class PaymentPayload:
    """A payment's answer; on failure, ``order`` still shows where the order stands."""

    payment: Payment | None
    order: Order | None
    errors: list[UserError]

    @classmethod
    async def of(cls, work: Awaitable[Any]) -> PaymentPayload:
        result, errors, order = await attempt(work)
        if result is None:
            return cls(payment=None, order=order, errors=errors)
        return cls(payment=result.payment, order=result.order, errors=errors)
