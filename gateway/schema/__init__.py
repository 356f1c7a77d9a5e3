"""The GraphQL schema: a Federation v2 subgraph; ``Checkout`` and ``Order`` are entities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.tools import merge_types

from gateway.schema.cart_editing import CartEditingMutation
from gateway.schema.entity_representations import guard_entity_representations
from gateway.schema.plain_fields import read_plain_fields_directly
from gateway.schema.resolvers import Mutation, Query
from gateway.schema.root_reads import resolve_root_reads_directly
from gateway.schema.shopper import ShopperMutation, ShopperQuery
from gateway.schema.subscriptions import Subscription
from gateway.schema.types import StoredBankAccount, StoredCard, StoredPayPalAccount


def build_schema(extensions: Sequence[Any] = ()) -> strawberry.federation.Schema:
    schema = strawberry.federation.Schema(
        query=merge_types("Query", (Query, ShopperQuery)),
        mutation=merge_types("Mutation", (Mutation, ShopperMutation, CartEditingMutation)),
        subscription=Subscription,
        types=[StoredCard, StoredPayPalAccount, StoredBankAccount],
        extensions=list(extensions),
    )
    read_plain_fields_directly(schema._schema, schema.config.default_resolver)
    guard_entity_representations(schema._schema)
    resolve_root_reads_directly(schema._schema)
    return schema


def sdl() -> str:
    """The subgraph SDL, exactly as ``_service { sdl }`` returns it."""
    return str(build_schema())
