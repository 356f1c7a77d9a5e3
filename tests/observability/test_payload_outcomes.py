"""Outcomes that tell the truth: a mutation whose payload carries an error is logged,
counted and traced under that error's code, not ``ok``; charges are counted by method
and outcome, so the decline rate and an outage show on /metrics."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator

import orjson
import pytest
from opentelemetry.trace import StatusCode

from gateway.observability.logs import JsonFormatter, access_log
from gateway.sandbox.faults import Fault
from tests import flow
from tests.observability.observability_support import observed_gateway, sample

DECLINED = {**flow.GOOD_CARD, "number": "4000000000000002"}
INSUFFICIENT = {**flow.GOOD_CARD, "number": "4000000000009995"}


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    access_log.addHandler(handler)
    level = access_log.level
    access_log.setLevel(logging.INFO)
    yield buffer
    access_log.removeHandler(handler)
    access_log.setLevel(level)


def codes(payload: dict[str, object]) -> list[object]:
    return [e["code"] for e in payload["errors"]]  # type: ignore[attr-defined]


async def test_declines_and_an_outage_show_in_metrics_logs_and_spans(
    sandbox, access_lines: io.StringIO
) -> None:
    async with observed_gateway(sandbox) as observed:
        gateway = observed.gateway
        order = await flow.unpaid_order(gateway)
        assert codes(await flow.pay_by_card(gateway, order["id"], DECLINED)) == ["PAYMENT_DECLINED"]
        assert codes(await flow.pay_by_card(gateway, order["id"], INSUFFICIENT)) == [
            "INSUFFICIENT_FUNDS"
        ]
        flow.no_errors(await flow.pay_by_card(gateway, order["id"]))

        # The payments host down: the charge's outcome is unknown (the order still unpaid).
        unpaid = await flow.unpaid_order(gateway)
        sandbox.faults.add(method="POST", path=r".*/payments", fault=Fault.html_502(), times=None)
        assert codes(await flow.pay_by_card(gateway, unpaid["id"])) == ["PAYMENT_OUTCOME_UNKNOWN"]
        # The management API down: no cart.
        sandbox.faults.add(method="POST", path=r".*/v3/carts", fault=Fault.html_502(), times=None)
        cart = {"input": {"lineItems": [{"productId": 111, "quantity": 1}]}}
        created = (await gateway.run("CreateCart", cart))["data"]["createCart"]
        assert codes(created) == ["UPSTREAM_UNAVAILABLE"]

        m = await observed.metrics()
        spans = observed.spans.get_finished_spans()

    requests = "gateway_requests_total"
    assert sample(m, requests, operation="PayWithCard", outcome="PAYMENT_DECLINED") == 1
    assert sample(m, requests, operation="PayWithCard", outcome="INSUFFICIENT_FUNDS") == 1
    assert sample(m, requests, operation="PayWithCard", outcome="PAYMENT_OUTCOME_UNKNOWN") == 1
    assert sample(m, requests, operation="PayWithCard", outcome="ok") == 1
    assert sample(m, requests, operation="CreateCart", outcome="UPSTREAM_UNAVAILABLE") == 1
    assert sample(m, requests, operation="CreateCart", outcome="ok") == 2

    payments = "gateway_payments_total"
    for outcome in ("declined", "insufficient_funds", "outcome_unknown", "approved"):
        assert sample(m, payments, method="braintree.card", outcome=outcome) == 1, outcome

    pay_lines = [
        line
        for line in map(orjson.loads, access_lines.getvalue().splitlines())
        if line.get("operation") == "PayWithCard"
    ]
    assert [line["outcome"] for line in pay_lines] == [
        "PAYMENT_DECLINED",
        "INSUFFICIENT_FUNDS",
        "ok",
        "PAYMENT_OUTCOME_UNKNOWN",
    ]
    traced = [
        s.attributes["gateway.outcome"]
        for s in spans
        if s.name == "graphql mutation PayWithCard" and s.attributes
    ]
    assert traced == ["PAYMENT_DECLINED", "INSUFFICIENT_FUNDS", "ok", "PAYMENT_OUTCOME_UNKNOWN"]
    # A decline is an answer, not a failure of the server: no error status on its span.
    declined = next(
        s
        for s in spans
        if s.attributes and s.attributes.get("gateway.outcome") == "PAYMENT_DECLINED"
    )
    assert declined.status.status_code is StatusCode.UNSET


async def test_a_method_the_store_does_not_offer_is_not_a_label(sandbox) -> None:
    async with observed_gateway(sandbox) as observed:
        gateway = observed.gateway
        order = await flow.unpaid_order(gateway)
        answer = await gateway.run(
            "PayWithCard",
            {
                "input": {
                    "orderId": order["id"],
                    "paymentMethodId": "made.up-by-a-client",
                    "card": flow.GOOD_CARD,
                }
            },
        )
        assert codes(answer["data"]["payWithCard"]) == ["PAYMENT_METHOD_NOT_ACCEPTED"]
        m = await observed.metrics()
    assert sample(
        m, "gateway_payments_total", method="other", outcome="payment_method_not_accepted"
    )
    assert not any("made.up" in str(labels) for _, labels in m)


async def test_a_reused_idempotency_key_is_its_code_not_ok(sandbox) -> None:
    """One of issue 12's three examples: the refusal is counted, and no second charge is."""
    async with observed_gateway(sandbox) as observed:
        gateway = observed.gateway
        order = await flow.unpaid_order(gateway)
        key = f"pay-{uuid.uuid4()}"
        flow.no_errors(await flow.pay_by_card(gateway, order["id"], key=key))
        other_card = {**flow.GOOD_CARD, "number": "4242424242424242"}
        reused = await flow.pay_by_card(gateway, order["id"], other_card, key=key)
        assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
        m = await observed.metrics()

    requests = "gateway_requests_total"
    assert sample(m, requests, operation="PayWithCard", outcome="ok") == 1
    assert sample(m, requests, operation="PayWithCard", outcome="IDEMPOTENCY_KEY_REUSED") == 1
    charges = {
        labels: value for (name, labels), value in m.items() if name == "gateway_payments_total"
    }
    assert charges == {(("method", "braintree.card"), ("outcome", "approved")): 1}
