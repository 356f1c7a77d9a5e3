"""X-Request-Id on every answer; one JSON access-log line per request, without variables."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import orjson
import pytest

from gateway.observability.logs import JsonFormatter, RequestIdFilter, access_log
from tests import flow
from tests.observability.observability_support import observed_gateway


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    access_log.addHandler(handler)
    level = access_log.level
    access_log.setLevel(logging.INFO)
    yield buffer
    access_log.removeHandler(handler)
    access_log.setLevel(level)


async def test_every_answer_has_a_request_id(gateway) -> None:
    ids = set()
    for path in ("/healthz", "/readyz", "/metrics", "/nowhere", "/graphql?query={__typename}"):
        async with gateway.http.get(f"{gateway.url}{path}") as resp:
            rid = resp.headers["X-Request-Id"]
            assert len(rid) == 32 and int(rid, 16) >= 0
            ids.add(rid)
    bad = {"Content-Type": "application/json"}
    async with gateway.http.post(f"{gateway.url}/graphql", data=b"{not json", headers=bad) as resp:
        assert resp.status == 400
        ids.add(resp.headers["X-Request-Id"])
    assert len(ids) == 6  # a new one each time


async def test_a_sane_incoming_request_id_is_kept(gateway) -> None:
    url = f"{gateway.url}/healthz"
    async with gateway.http.get(url, headers={"X-Request-Id": "shop-42.abc:1"}) as resp:
        assert resp.headers["X-Request-Id"] == "shop-42.abc:1"
    for wild in ("x" * 129, "a b", "<script>", "id\u00e9"):
        async with gateway.http.get(url, headers={"X-Request-Id": wild}) as resp:
            assert resp.headers["X-Request-Id"] != wild


async def test_access_log_line_has_the_fields_and_no_variables(
    sandbox, access_lines: io.StringIO
) -> None:
    async with observed_gateway(sandbox) as observed:
        gateway = observed.gateway
        order = await flow.unpaid_order(gateway)
        access_lines.seek(0)
        access_lines.truncate()
        async with gateway.http.post(
            f"{gateway.url}/graphql",
            json={
                "query": gateway.ops.document,
                "operationName": "PayWithCard",
                "variables": {
                    "input": {
                        "orderId": order["id"],
                        "paymentMethodId": "braintree.card",
                        "card": flow.GOOD_CARD,
                        "idempotencyKey": "pay-log-test",
                    }
                },
            },
            headers={"X-Request-Id": "log-test-1"},
        ) as resp:
            assert resp.status == 200
            flow.no_errors((await resp.json())["data"]["payWithCard"])

    text = access_lines.getvalue()
    lines = [orjson.loads(line) for line in text.splitlines()]
    paid = [line for line in lines if line.get("operation") == "PayWithCard"]
    assert len(paid) == 1
    line = paid[0]
    assert line["request_id"] == "log-test-1"
    assert line["logger"] == "gateway.access"
    assert line["method"] == "POST" and line["path"] == "/graphql" and line["status"] == 200
    assert line["outcome"] == "ok"
    assert line["upstream_calls"] >= 2  # token, payment, read-back
    assert isinstance(line["duration_ms"], float) and 0 < line["duration_ms"] < 10_000
    for value in (str(flow.GOOD_CARD["number"]), order["id"], "pay-log-test", "variables", '"123"'):
        assert value not in text
