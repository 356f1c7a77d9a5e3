"""The GraphQL schema: a Federation v2 subgraph; ``Checkout`` and ``Order`` are entities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from gateway.schema.resolvers import Mutation, Query
from gateway.schema.types import StoredBankAccount, StoredCard, StoredPayPalAccount


def build_schema(extensions: Sequence[Any] = ()) -> strawberry.federation.Schema:
    return strawberry.federation.Schema(
        query=Query,
        mutation=Mutation,
        types=[StoredCard, StoredPayPalAccount, StoredBankAccount],
        extensions=list(extensions),
    )


def sdl() -> str:
    """The subgraph SDL, exactly as ``_service { sdl }`` returns it."""
    return str(build_schema())
