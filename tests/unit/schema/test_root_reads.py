"""Root reads resolved without Strawberry's wrapper: one upstream read per key, failing alone."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest
import strawberry
from strawberry.extensions import FieldExtension

from gateway.graphql.plain_readers import context_read
from gateway.schema import build_schema
from gateway.schema.root_reads import (
    DIRECT,
    DIRECT_WITHOUT_ARGUMENTS,
    resolve_root_reads_directly,
)
from tests import flow
from tests.live_gateway import LiveGateway

ALIASED = """
query Aliased($id: ID!, $other: ID!, $order: ID!) {
  a: checkout(id: $id) { id cart { id } }
  b: checkout(id: $id) { id grandTotal { currencyCode } }
  unknown: checkout(id: $other) { id }
  o: order(id: $order) { id number }
  p: order(id: $order) { number }
}
"""


def reads(gateway: LiveGateway) -> Counter[str]:
    store = f"/stores/{gateway.sandbox.store_hash}"
    return Counter(
        r.path.removeprefix(store)
        for r in gateway.sandbox.requests
        if r.host == "api" and r.method == "GET"
    )


async def test_aliased_root_reads_share_one_upstream_read_and_fail_alone(
    gateway: LiveGateway,
) -> None:
    order = await flow.unpaid_order(gateway)
    checkout = await flow.checkout_ready_to_order(gateway)
    other = str(uuid.uuid4())
    gateway.sandbox.clear_requests()

    status, body = await gateway.post(
        {
            "query": ALIASED,
            "variables": {"id": checkout["id"], "other": other, "order": order["id"]},
        }
    )

    assert status == 200 and "data" in body, body
    data = body["data"]
    assert data["a"] == {"id": checkout["id"], "cart": {"id": checkout["id"]}}
    assert data["b"]["id"] == checkout["id"] and data["b"]["grandTotal"] == {"currencyCode": "USD"}
    assert data["unknown"] is None
    assert data["o"] == {"id": order["id"], "number": order["number"]}
    assert data["p"] == {"number": order["number"]}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["unknown"], "NOT_FOUND")
    ]
    got = reads(gateway)
    assert got[f"/v3/checkouts/{checkout['id']}"] == 1
    assert got[f"/v3/checkouts/{other}"] == 1
    assert got[f"/v2/orders/{order['number']}"] == 1


def test_the_direct_root_reads_replace_strawberrys_resolvers() -> None:
    query = build_schema()._schema.query_type
    assert query is not None
    for name, (argument, read, repeatable) in DIRECT.items():
        resolve = query.fields[name].resolve
        assert getattr(resolve, "__qualname__", "").startswith("context_reader.")
        assert context_read(resolve) == ((argument, read) if repeatable else None)
    for name in DIRECT_WITHOUT_ARGUMENTS:
        resolve = query.fields[name].resolve
        assert getattr(resolve, "__qualname__", "").startswith("context_field.")


class Audited(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs)


def nothing(id: strawberry.ID) -> str | None:
    return None


def no_methods(order_id: strawberry.ID) -> str | None:
    return None


def test_a_root_read_with_a_field_extension_is_not_resolved_around_it() -> None:
    @strawberry.type
    class Query:
        checkout: str | None = strawberry.field(resolver=nothing, extensions=[Audited()])
        order: str | None = strawberry.field(resolver=nothing)
        payment_methods: str | None = strawberry.field(resolver=no_methods)

    with pytest.raises(TypeError, match=r"Query\.checkout has field extensions"):
        resolve_root_reads_directly(strawberry.Schema(query=Query)._schema)


async def test_a_lone_checkout_read_that_fails_is_read_once_and_answered_as_before(
    gateway: LiveGateway,
) -> None:
    checkout = await flow.checkout_ready_to_order(gateway)
    unknown = str(uuid.uuid4())
    gateway.sandbox.clear_requests()

    found = await gateway.run("Checkout", {"id": checkout["id"]})
    missing = await gateway.run("Checkout", {"id": unknown})

    assert "errors" not in found and found["data"]["checkout"]["id"] == checkout["id"]
    assert missing["data"] == {"checkout": None}
    [error] = missing["errors"]
    assert error["path"] == ["checkout"] and error["extensions"]["code"] == "NOT_FOUND"
    assert error["locations"]
    got = reads(gateway)
    assert got[f"/v3/checkouts/{checkout['id']}"] == 1
    assert got[f"/v3/checkouts/{unknown}"] == 1
