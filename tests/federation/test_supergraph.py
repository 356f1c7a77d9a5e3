"""Our real subgraph SDL composed by @apollo/composition, then served by Apollo Gateway.

The supergraph joins our live gateway (uvicorn on 127.0.0.1 over the sandbox) with the
Node loyalty subgraph, which adds ``Order.loyaltyPoints``. One ``createOrder`` through
Apollo makes the order on our side and reads the other subgraph's field on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.schema import sdl
from tests.federation.node import (
    FEDERATION_DIR,
    compose,
    require_node_tooling,
    start_node_process,
    stop_node_process,
)
from tests.graphql_ops import ROOT
from tests.live_gateway import LiveGateway, flow

LOYALTY_SDL = (FEDERATION_DIR / "loyalty.graphql").read_text()
# Hint codes we accept from composition, and why. None today: our SDL and the loyalty
# subgraph compose without a single hint. A hint of any other code signals a mistake
# (types or nullability that disagree between subgraphs, unused or inconsistent entity
# keys, fields that would shadow one another) and fails the test.
ACCEPTED_HINTS: frozenset[str] = frozenset()


def fnv1a_points(order_id: str) -> int:
    """The loyalty subgraph's deterministic points for an order id (see loyalty-subgraph.mjs)."""
    value = 0x811C9DC5
    for byte in order_id.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value % 1000


def unexpected_hints(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [hint for hint in result["hints"] if hint["code"] not in ACCEPTED_HINTS]


@pytest.fixture(autouse=True)
def _node_tooling() -> None:
    require_node_tooling()


@pytest.mark.parametrize("source", ["sdl()", "schema.graphql"])
def test_our_sdl_composes_with_the_loyalty_subgraph(source: str) -> None:
    ours = sdl() if source == "sdl()" else (ROOT / "schema.graphql").read_text()
    result = compose(
        [
            ("checkout", "http://127.0.0.1:9/graphql", ours),
            ("loyalty", "http://127.0.0.1:9/graphql", LOYALTY_SDL),
        ]
    )
    assert result["errors"] == []
    assert unexpected_hints(result) == []
    supergraph = result["supergraphSdl"]
    assert '@join__type(graph: CHECKOUT, key: "id")' in supergraph
    assert '@join__type(graph: LOYALTY, key: "id")' in supergraph
    assert "loyaltyPoints: Int! @join__field(graph: LOYALTY)" in supergraph
    assert "createOrder(input: CreateOrderInput!): CreateOrderPayload!" in supergraph


def test_a_disagreeing_subgraph_is_caught_by_the_hint_check() -> None:
    # The same loyalty subgraph with a nullable key: it composes, but with a hint we refuse.
    sloppy = LOYALTY_SDL.replace("  id: ID!", "  id: ID")
    result = compose(
        [
            ("checkout", "http://127.0.0.1:9/graphql", sdl()),
            ("loyalty", "http://127.0.0.1:9/graphql", sloppy),
        ]
    )
    assert result["errors"] == []
    assert unexpected_hints(result), result["hints"]


class ApolloRouter:
    """Sends the checkout-flow document to Apollo Gateway, with the same API as LiveGateway."""

    def __init__(self, url: str, subgraph: LiveGateway) -> None:
        self.url = url
        self.subgraph = subgraph

    async def query(
        self, document: str, variables: dict[str, Any], name: str | None
    ) -> dict[str, Any]:
        body = {"query": document, "variables": variables, "operationName": name}
        async with self.subgraph.http.post(self.url, json=body) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()  # type: ignore[no-any-return]

    async def run(self, operation: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.query(self.subgraph.ops.document, variables or {}, operation)


@pytest.fixture(scope="module")
def apollo_url(
    subgraph_server: LiveGateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Apollo Gateway over our live subgraph and the loyalty subgraph, started once per module."""
    require_node_tooling()
    loyalty, loyalty_url = start_node_process("loyalty-subgraph.mjs", ["--port", "0"])
    try:
        result = compose(
            [
                ("checkout", f"{subgraph_server.url}/graphql", sdl()),
                ("loyalty", loyalty_url, LOYALTY_SDL),
            ]
        )
        assert result["errors"] == []
        supergraph: Path = tmp_path_factory.mktemp("supergraph") / "supergraph.graphql"
        supergraph.write_text(result["supergraphSdl"])
        router, url = start_node_process(
            "gateway.mjs", ["--supergraph", str(supergraph), "--port", "0"]
        )
        try:
            assert url.startswith("http://127.0.0.1:")
            yield url
        finally:
            stop_node_process(router)
    finally:
        stop_node_process(loyalty)


CREATE_ORDER = """
mutation CreateOrder($input: CreateOrderInput!) {
  createOrder(input: $input) {
    order { id number status loyaltyPoints }
    errors { code }
  }
}
"""

ORDER = "query Order($id: ID!) { order(id: $id) { id number statusId loyaltyPoints } }"


async def test_create_order_through_apollo_reads_loyalty_points(
    apollo_url: str, subgraph: LiveGateway
) -> None:
    apollo = ApolloRouter(apollo_url, subgraph)
    checkout = await flow.checkout_ready_to_order(apollo)  # every step through Apollo
    variables = {"input": {"checkoutId": checkout["id"], "idempotencyKey": f"fed-{uuid.uuid4()}"}}
    subgraph.sandbox.clear_requests()

    answer = await apollo.query(CREATE_ORDER, variables, "CreateOrder")

    assert "errors" not in answer, answer
    payload = answer["data"]["createOrder"]
    assert payload["errors"] == []
    order = payload["order"]
    assert set(order) == {"id", "number", "status", "loyaltyPoints"}
    assert order["id"].startswith("ord_")
    made = [
        r for r in subgraph.sandbox.requests if r.method == "POST" and r.path.endswith("/orders")
    ]
    assert len(made) == 1  # Apollo sent the mutation to our subgraph once
    assert order["number"] in subgraph.sandbox.state.orders
    assert subgraph.sandbox.state.orders[order["number"]].status_id == 0
    assert order["status"] == "Incomplete"
    assert order["loyaltyPoints"] == fnv1a_points(order["id"])

    # And a query: the entity joined again from the opaque id.
    again = await apollo.query(ORDER, {"id": order["id"]}, "Order")
    assert again == {
        "data": {
            "order": {
                "id": order["id"],
                "number": order["number"],
                "statusId": 0,
                "loyaltyPoints": order["loyaltyPoints"],
            }
        }
    }
