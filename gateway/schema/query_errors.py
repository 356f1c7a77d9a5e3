"""How a query field (or an entity) reports an expected failure: a top-level GraphQL error."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql import GraphQLError

from gateway.errors import GatewayError, GatewayErrors


async def answer(work: Awaitable[Any]) -> Any:
    """A query's result, or a top-level GraphQL error carrying the contract code."""
    try:
        return await work
    except GatewayErrors as exc:
        first = exc.errors[0]
        raise GraphQLError(first.message, extensions={"code": first.code.value}) from None
    except GatewayError as exc:
        extensions: dict[str, Any] = {"code": exc.code.value, **exc.extensions}
        raise GraphQLError(exc.message, extensions=extensions) from None
