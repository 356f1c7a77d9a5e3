"""``_entities`` takes only representations it can resolve; a malformed one fails alone.

Strawberry's federation resolver pops ``__typename`` and passes the remaining
keys to ``resolve_reference``: a representation without ``__typename``, of an
unknown type, without ``id`` or with other keys became a KeyError or TypeError,
masked as an unexpected error. Here each malformed representation gets a
VALIDATION error at its own index and the others resolve as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError, GraphQLSchema, GraphQLUnionType

from gateway.errors import ErrorCode

KEY_FIELDS = frozenset({"__typename", "id"})  # every entity here is keyed by its id


def _well_formed(representation: Any, entity_names: frozenset[str]) -> bool:
    return (
        isinstance(representation, dict)
        and set(representation) == KEY_FIELDS
        and representation["__typename"] in entity_names
        and isinstance(representation["id"], str)
        and 0 < len(representation["id"]) <= 128
    )


def _malformed() -> GraphQLError:
    return GraphQLError(
        "A representation must be {__typename, id} of an entity of this subgraph.",
        extensions={"code": ErrorCode.VALIDATION.value},
    )


def guard_entity_representations(schema: GraphQLSchema) -> None:
    query = schema.query_type
    entity_union = schema.get_type("_Entity")
    if query is None or "_entities" not in query.fields:
        return
    if not isinstance(entity_union, GraphQLUnionType):
        return
    names = frozenset(t.name for t in entity_union.types)
    field = query.fields["_entities"]
    resolve_well_formed = field.resolve
    assert resolve_well_formed is not None

    def resolve(source: Any, info: Any, representations: Sequence[Any]) -> Any:
        results: list[Any] = [None] * len(representations)
        positions: list[int] = []
        good: list[dict[str, Any]] = []
        for index, representation in enumerate(representations):
            if _well_formed(representation, names):
                positions.append(index)
                good.append(dict(representation))  # the resolver pops from it
            else:
                results[index] = _malformed()
        if not good:
            return results
        resolved = resolve_well_formed(source, info, representations=good)

        def merge(values: Sequence[Any]) -> list[Any]:
            for index, value in zip(positions, values, strict=True):
                results[index] = value
            return results

        if inspect.isawaitable(resolved):

            async def merged() -> list[Any]:
                return merge(await resolved)

            return merged()
        return merge(resolved)

    field.resolve = resolve
