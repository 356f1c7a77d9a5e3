"""A request error answered 200 (application/json, as GraphQL over HTTP asks) still counts as
its error code in the requests metric, never as ``ok``; the same under a 400."""

from __future__ import annotations

from tests.observability.observability_support import observed_gateway, sample


async def test_request_errors_count_by_code_under_both_media_types(sandbox) -> None:
    async with observed_gateway(sandbox) as observed:
        gateway = observed.gateway
        for accept, status in (
            ("application/json", 200),
            ("application/graphql-response+json", 400),
        ):
            got, body = await gateway.post({"query": "{ checkout("}, {"Accept": accept})
            assert got == status and body["errors"][0]["extensions"]["code"] == (
                "GRAPHQL_PARSE_FAILED"
            )
            got, body = await gateway.post({"query": "{ nope }"}, {"Accept": accept})
            assert got == status
        m = await observed.metrics()

    requests = "gateway_requests_total"
    assert sample(m, requests, operation="anonymous", outcome="GRAPHQL_PARSE_FAILED") == 2
    assert sample(m, requests, operation="anonymous", outcome="GRAPHQL_VALIDATION_FAILED") == 2
    assert sample(m, requests, operation="anonymous", outcome="ok") == 0
