"""The pinned Apollo packages compose and serve a federated graph on Node 20."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.federation.node import (
    FEDERATION_DIR,
    compose,
    node_process,
    require_node_tooling,
)

STANDIN_SDL = (FEDERATION_DIR / "standin-order.graphql").read_text()
LOYALTY_SDL = (FEDERATION_DIR / "loyalty.graphql").read_text()


@pytest.fixture(autouse=True)
def _node_tooling() -> None:
    require_node_tooling()


def post_graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.load(response)
    return result


def test_standin_order_composes_with_the_loyalty_subgraph() -> None:
    result = compose(
        [
            ("checkout", "http://127.0.0.1:9/graphql", STANDIN_SDL),
            ("loyalty", "http://127.0.0.1:9/graphql", LOYALTY_SDL),
        ]
    )
    assert result["errors"] == []
    supergraph = result["supergraphSdl"]
    assert "loyaltyPoints: Int! @join__field(graph: LOYALTY)" in supergraph
    assert "number: Int! @join__field(graph: CHECKOUT)" in supergraph
    assert all(set(hint) == {"code", "message"} for hint in result["hints"])


def test_composition_errors_are_reported_not_raised() -> None:
    clashing = LOYALTY_SDL.replace("loyaltyPoints: Int!", "number: String!")
    result = compose(
        [
            ("checkout", "http://127.0.0.1:9/graphql", STANDIN_SDL),
            ("loyalty", "http://127.0.0.1:9/graphql", clashing),
        ]
    )
    assert result["errors"], "a field of two types in two subgraphs must not compose"
    assert result["supergraphSdl"] is None
    assert {"code", "message"} <= set(result["errors"][0])


def test_loyalty_subgraph_serves_points_and_its_sdl() -> None:
    with node_process("loyalty-subgraph.mjs", ["--port", "0"]) as url:
        entities = post_graphql(
            url,
            "query($r: [_Any!]!) { _entities(representations: $r) "
            "{ ... on Order { id loyaltyPoints } } }",
            {"r": [{"__typename": "Order", "id": "order-1"}, {"__typename": "Order", "id": "2"}]},
        )
        again = post_graphql(
            url,
            "query($r: [_Any!]!) { _entities(representations: $r) "
            "{ ... on Order { loyaltyPoints } } }",
            {"r": [{"__typename": "Order", "id": "order-1"}]},
        )
        service = post_graphql(url, "{ _service { sdl } }")
    orders = entities["data"]["_entities"]
    assert [o["id"] for o in orders] == ["order-1", "2"]
    assert all(0 <= o["loyaltyPoints"] < 1000 for o in orders)
    assert again["data"]["_entities"][0]["loyaltyPoints"] == orders[0]["loyaltyPoints"]
    assert "loyaltyPoints: Int!" in service["data"]["_service"]["sdl"]


def test_gateway_serves_a_static_supergraph(tmp_path: Path) -> None:
    with node_process("loyalty-subgraph.mjs", ["--port", "0"]) as loyalty_url:
        result = compose(
            [
                ("checkout", "http://127.0.0.1:9/graphql", STANDIN_SDL),
                ("loyalty", loyalty_url, LOYALTY_SDL),
            ]
        )
        assert result["errors"] == []
        supergraph = tmp_path / "supergraph.graphql"
        supergraph.write_text(result["supergraphSdl"])
        with node_process("gateway.mjs", ["--supergraph", str(supergraph), "--port", "0"]) as url:
            typename = post_graphql(url, "{ __typename }")
            schema = post_graphql(url, '{ __type(name: "Order") { fields { name } } }')
    assert typename == {"data": {"__typename": "Query"}}
    fields = {f["name"] for f in schema["data"]["__type"]["fields"]}
    assert fields == {"id", "number", "loyaltyPoints"}
