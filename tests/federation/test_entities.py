"""``_entities`` on our subgraph: references resolved from BigCommerce, one call per distinct key.

A router batches representations; each is resolved on its own, so a forged order id or an
unknown checkout makes only its own entity null (with a NOT_FOUND error at its index).
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from gateway.bootstrap import create_app
from gateway.sandbox import Fault, SandboxServer
from tests.live_gateway import LiveGateway, flow, serve, stop

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Order { id number status }
    ... on Checkout { id cart { id } }
  }
}
"""


async def entities(subgraph: LiveGateway, representations: list[dict[str, Any]]) -> dict[str, Any]:
    status, body = await subgraph.post(
        {"query": ENTITIES, "variables": {"representations": representations}}
    )
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def forged(order_id: str) -> str:
    """The same id with one character of its body changed."""
    last = order_id[-1]
    return order_id[:-1] + ("A" if last != "A" else "B")


def upstream_reads(sandbox: SandboxServer) -> Counter[str]:
    return Counter(r.path for r in sandbox.requests if r.host == "api" and r.method == "GET")


def errors_by_index(body: dict[str, Any]) -> dict[int, str]:
    found = {}
    for error in body.get("errors", []):
        assert error["path"][0] == "_entities", error
        found[error["path"][1]] = error["extensions"]["code"]
    return found


async def test_bad_representations_fail_alone_and_keys_are_fetched_once(
    subgraph: LiveGateway,
) -> None:
    first = await flow.unpaid_order(subgraph)
    second = await flow.unpaid_order(subgraph)
    checkout = await flow.checkout_ready_to_order(subgraph)
    unknown_checkout = str(uuid.uuid4())
    subgraph.sandbox.clear_requests()

    body = await entities(
        subgraph,
        [
            {"__typename": "Order", "id": first["id"]},
            {"__typename": "Order", "id": forged(first["id"])},
            {"__typename": "Checkout", "id": checkout["id"]},
            {"__typename": "Order", "id": str(first["number"])},  # the bare number
            {"__typename": "Order", "id": second["id"]},
            {"__typename": "Checkout", "id": unknown_checkout},
            {"__typename": "Order", "id": first["id"]},  # again
            {"__typename": "Checkout", "id": checkout["id"]},  # again
        ],
    )

    got = body["data"]["_entities"]
    assert got[0] == {
        "__typename": "Order",
        "id": first["id"],
        "number": first["number"],
        "status": "Incomplete",
    }
    assert got[4]["id"] == second["id"] and got[4]["number"] == second["number"]
    assert got[6] == got[0]
    assert got[2] == {
        "__typename": "Checkout",
        "id": checkout["id"],
        "cart": {"id": checkout["id"]},
    }
    assert got[7] == got[2]
    assert [got[i] for i in (1, 3, 5)] == [None, None, None]
    assert errors_by_index(body) == {1: "NOT_FOUND", 3: "NOT_FOUND", 5: "NOT_FOUND"}

    # One upstream read per distinct genuine key; the forged and bare ids never left.
    reads = upstream_reads(subgraph.sandbox)
    store = f"/stores/{subgraph.sandbox.store_hash}"
    orders = {p: n for p, n in reads.items() if "/v2/orders/" in p}
    assert orders == {
        f"{store}/v2/orders/{first['number']}": 1,
        f"{store}/v2/orders/{second['number']}": 1,
    }
    checkouts = {p: n for p, n in reads.items() if "/v3/checkouts/" in p}
    assert checkouts == {
        f"{store}/v3/checkouts/{checkout['id']}": 1,
        f"{store}/v3/checkouts/{unknown_checkout}": 1,
    }


async def test_order_entities_take_only_the_opaque_id(subgraph: LiveGateway) -> None:
    order = await flow.unpaid_order(subgraph)
    subgraph.sandbox.clear_requests()
    body = await entities(
        subgraph,
        [
            {"__typename": "Order", "id": str(order["number"])},
            {"__typename": "Order", "id": f"ord_{order['number']}"},
            {"__typename": "Order", "id": order["id"] + "x"},
        ],
    )
    assert body["data"]["_entities"] == [None, None, None]
    assert errors_by_index(body) == {0: "NOT_FOUND", 1: "NOT_FOUND", 2: "NOT_FOUND"}
    assert not any("/v2/orders/" in r.path for r in subgraph.sandbox.requests)
    assert order["id"].startswith("ord_") and str(order["number"]) not in order["id"]


async def test_an_upstream_failure_is_its_entitys_own_error(subgraph: LiveGateway) -> None:
    order = await flow.unpaid_order(subgraph)
    checkout = await flow.checkout_ready_to_order(subgraph)
    # Its own gateway (same settings, so same secret): the failing reads must not open the
    # shared instance's breaker.
    app = create_app(subgraph.app.state.runtime.settings)
    server, task, url = await serve(app)
    try:
        own = LiveGateway(url, subgraph.http, subgraph.sandbox, subgraph.ops, app)
        subgraph.sandbox.faults.add(
            method="GET", path=r".*/v2/orders/\d+", fault=Fault.status(500), times=None
        )
        body = await entities(
            own,
            [
                {"__typename": "Order", "id": order["id"]},
                {"__typename": "Checkout", "id": checkout["id"]},
            ],
        )
    finally:
        subgraph.sandbox.faults.clear()
        await stop(server, task)
    assert body["data"]["_entities"][0] is None
    assert body["data"]["_entities"][1]["id"] == checkout["id"]
    assert errors_by_index(body) == {0: "UPSTREAM_UNAVAILABLE"}


async def test_malformed_representations_fail_alone(subgraph: LiveGateway) -> None:
    checkout = await flow.checkout_ready_to_order(subgraph)
    status, body = await subgraph.post({
        "query": "query ($r: [_Any!]!) "
                 "{ _entities(representations: $r) { ... on Checkout { id } } }",
        "variables": {"r": [
            {"__typename": "Order"},
            {"__typename": "Nope", "id": "x"},
            {"id": "x"},
            "str",
            {"__typename": "Checkout", "id": checkout["id"], "extra": 1},
            {"__typename": "Checkout", "id": checkout["id"]},
        ]},
    })  # fmt: skip
    assert status == 200
    got = body["data"]["_entities"]
    assert got[:5] == [None] * 5 and got[5] == {"id": checkout["id"]}
    codes = {e["path"][1]: e["extensions"]["code"] for e in body["errors"]}
    assert codes == {i: "VALIDATION" for i in range(5)}
