"""GraphQL over HTTP: graphql-http's own server audits, run by the npm package against the
live gateway (every MUST and every SHOULD passes; the MAYs are printed, not required), then
the negotiated media type's status codes on the failures the audits only touch, and Apollo
Client 4 (which asks for application/graphql-response+json first) reading both outcomes."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from gateway.http.negotiation import GRAPHQL_RESPONSE, JSON
from tests.live_gateway import LiveGateway
from tests.node_clients import run_client


def describe(result: dict[str, Any]) -> str:
    response = result.get("response") or {}
    return (
        f"{result['id']} {result['name']}: {result.get('reason')} "
        f"(got {response.get('status')} {response.get('contentType')}: {response.get('body')})"
    )


async def test_every_must_and_should_audit_passes(gateway: LiveGateway) -> None:
    answer = await run_client("graphql-http-audit.mjs", {"url": f"{gateway.url}/graphql"})
    results: list[dict[str, Any]] = answer["results"]

    required = [r for r in results if r["name"].startswith(("MUST", "SHOULD"))]
    failing = [describe(r) for r in required if r["status"] != "ok"]
    optional = [describe(r) for r in results if r not in required and r["status"] != "ok"]
    print("optional (MAY) audits not passed:", *optional or ["none"], sep="\n  ")
    assert len(required) >= 36, f"graphql-http ran only {len(required)} MUST/SHOULD audits"
    assert failing == [], "failing GraphQL-over-HTTP audits:\n" + "\n".join(failing)


async def ask(
    gateway: LiveGateway, body: dict[str, Any], accept: str
) -> tuple[int, str, dict[str, Any]]:
    headers = {"Accept": accept}
    async with gateway.http.post(f"{gateway.url}/graphql", json=body, headers=headers) as resp:
        return resp.status, resp.headers["Content-Type"], await resp.json(content_type=None)


UNKNOWN_HASH = hashlib.sha256(b"{ never sent }").hexdigest()
# Failures before execution, and the code each carries. The audits' own "validation" and
# "coercion" documents fail earlier than their names say (a parse error; an unused
# variable), so these are the real thing.
REQUEST_ERRORS: dict[str, tuple[dict[str, Any], str]] = {
    "parse": ({"query": "{ checkout("}, "GRAPHQL_PARSE_FAILED"),
    "validation": ({"query": "{ noSuchField }"}, "GRAPHQL_VALIDATION_FAILED"),
    "operation": (
        {"query": "query A { __typename } query B { __typename }", "operationName": "C"},
        "BAD_REQUEST",
    ),
    "coercion": (
        {"query": "query Q($id: ID!) { checkout(id: $id) { id } }", "variables": {"id": None}},
        "VALIDATION",
    ),
    "unknown persisted query": (
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": UNKNOWN_HASH}}},
        "PERSISTED_QUERY_NOT_FOUND",
    ),
}


@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE, 400), (JSON, 200)])
@pytest.mark.parametrize("failure", list(REQUEST_ERRORS))
async def test_request_errors_take_the_status_of_the_negotiated_type(
    gateway: LiveGateway, failure: str, accept: str, status: int
) -> None:
    body, code = REQUEST_ERRORS[failure]
    got_status, content_type, answer = await ask(gateway, body, accept)
    assert (got_status, content_type) == (status, f"{accept}; charset=utf-8"), answer
    assert "data" not in answer  # nothing ran
    assert answer["errors"][0]["extensions"]["code"] == code
    assert gateway.sandbox.requests == []


async def test_field_errors_and_data_are_200_under_both_types(gateway: LiveGateway) -> None:
    query = 'query { checkout(id: "00000000-0000-4000-8000-000000000000") { id } }'
    for accept in (GRAPHQL_RESPONSE, JSON):
        status, content_type, answer = await ask(gateway, {"query": query}, accept)
        assert (status, content_type) == (200, f"{accept}; charset=utf-8"), answer
        assert "data" in answer and answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_apollo_client_reads_data_and_request_errors(gateway: LiveGateway) -> None:
    url = f"{gateway.url}/graphql"
    ok = await run_client("apollo-operation.mjs", {"url": url, "query": "{ __typename }"})
    assert ok["data"] == {"__typename": "Query"} and ok["errors"] is None
    assert ok["responses"] == [{"status": 200, "contentType": f"{GRAPHQL_RESPONSE}; charset=utf-8"}]

    # A 400 that declares itself a GraphQL response: Apollo reads its errors, not a
    # network failure (a 400 application/json would be a ServerError to it).
    bad = await run_client("apollo-operation.mjs", {"url": url, "query": "{ noSuchField }"})
    assert bad["networkError"] is None, bad
    assert [e["code"] for e in bad["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert bad["responses"] == [
        {"status": 400, "contentType": f"{GRAPHQL_RESPONSE}; charset=utf-8"}
    ]
