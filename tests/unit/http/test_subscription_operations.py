"""One subscription operation's stream of results, with and without shared results."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson
import pytest
import strawberry
from graphql import DocumentNode, OperationType, parse

from gateway.http.subscription_operations import Formatted, Params, SubscriptionOperations


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def count(self, to: int) -> AsyncIterator[int]:
        for number in range(to):
            yield number


SCHEMA = strawberry.Schema(Query, subscription=Subscription)


def prepare(raw: Mapping[str, Any]) -> DocumentNode | list[Formatted]:
    return parse(raw["query"])


@pytest.mark.parametrize("shared", [False, True])
async def test_each_event_is_one_result_in_order(shared: bool) -> None:
    operations = SubscriptionOperations(SCHEMA._schema, prepare, shared_results=shared)
    params = Params.parse(
        {"query": "subscription S($to: Int!) { count(to: $to) }", "variables": {"to": 3}}
    )
    assert params is not None
    document = operations.document(params)
    assert not isinstance(document, list)
    node, kind = document
    assert kind is OperationType.SUBSCRIPTION
    stream = await operations.start(node, params, None)
    assert not isinstance(stream, list)
    results = [orjson.loads(result) async for result in stream]
    assert results == [{"data": {"count": n}} for n in range(3)]
