"""/metrics (Prometheus text) moves with the checkout flow and needs no client key."""

from __future__ import annotations

import uuid

from tests import flow
from tests.observability.observability_support import observed_gateway, sample


async def test_counters_move_through_the_flow(sandbox) -> None:
    async with observed_gateway(sandbox) as observed:
        gateway = observed.gateway
        order = await flow.unpaid_order(gateway)
        for _ in range(3):  # one load, then the cache
            methods = await gateway.run("PaymentMethods", {"orderId": order["id"]})
            assert "errors" not in methods, methods
        key = f"pay-{uuid.uuid4()}"
        flow.no_errors(await flow.pay_by_card(gateway, order["id"], key=key))
        flow.no_errors(await flow.pay_by_card(gateway, order["id"], key=key))  # replayed
        missing = await gateway.run("Order", {"id": "not-an-order-id"})
        assert missing["errors"]

        m = await observed.metrics()

    ok = "gateway_requests_total"
    assert sample(m, ok, operation="CreateCart", outcome="ok") == 1
    assert sample(m, ok, operation="PaymentMethods", outcome="ok") == 3
    assert sample(m, ok, operation="PayWithCard", outcome="ok") == 2
    code = missing["errors"][0]["extensions"]["code"]
    assert sample(m, ok, operation="Order", outcome=code) == 1
    assert sample(m, "gateway_request_duration_seconds_count", operation="PaymentMethods") == 3

    upstream = {
        labels: value
        for (name, labels), value in m.items()
        if name == "gateway_upstream_calls_total"
    }
    assert sum(upstream.values()) == len(sandbox.requests)
    assert all(dict(labels)["status"].isdigit() for labels in upstream)
    assert sample(m, "gateway_upstream_calls_total", endpoint="get_payment_methods", status="200")
    assert sample(m, "gateway_upstream_duration_seconds_count", endpoint="create_cart") == 1
    # One connection per upstream host, reused for every later call.
    opened = sample(m, "gateway_upstream_connections_opened_total")
    assert 1 <= opened < len(sandbox.requests)

    cache = "gateway_cache_lookups_total"
    assert sample(m, cache, cache="payment_methods", result="miss") >= 1
    assert sample(m, cache, cache="payment_methods", result="hit") >= 2
    assert sample(m, cache, cache="document", result="hit") >= 5  # one document, many requests
    assert sample(m, cache, cache="document", result="miss") == 1
    assert sample(m, "gateway_idempotent_replays_total") == 1


async def test_metrics_and_health_are_open_with_client_keys(sandbox) -> None:
    async with observed_gateway(sandbox, GATEWAY_CLIENT_KEYS="k" * 32) as observed:
        gateway = observed.gateway
        status, _ = await gateway.post({"query": "{ __typename }"})
        assert status == 401
        m = await observed.metrics()  # asserts 200 without a key
        assert sample(m, "gateway_requests_total", operation="anonymous", outcome="http_401") == 1
