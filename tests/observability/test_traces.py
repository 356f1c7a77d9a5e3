"""One span per GraphQL operation, one per upstream attempt as its child, and W3C trace context
sent to BigCommerce; no span carries a variable's value."""

from __future__ import annotations

from opentelemetry.trace import SpanKind

from tests import flow
from tests.observability.observability_support import observed_gateway

SENT_VALUES = [
    str(flow.GOOD_CARD["number"]),
    flow.US_ADDRESS["address1"],
    flow.US_ADDRESS["email"],
    flow.US_ADDRESS["postalCode"],
    flow.US_ADDRESS["phone"],
    flow.US_ADDRESS["city"],
    "Jane",
]


async def test_operation_and_upstream_spans(sandbox) -> None:
    async with observed_gateway(sandbox) as observed:
        order = await flow.unpaid_order(observed.gateway)
        flow.no_errors(await flow.pay_by_card(observed.gateway, order["id"]))
        spans = observed.spans.get_finished_spans()

    operations = [s for s in spans if s.kind is SpanKind.SERVER]
    upstream = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert len(spans) == len(operations) + len(upstream)
    names = [s.name for s in operations]
    assert names[:2] == ["graphql mutation CreateCart", "graphql mutation AddBillingAddress"]
    assert names[-1] == "graphql mutation PayWithCard"
    assert len(operations) == 6  # one per GraphQL request, not per field

    # One span per upstream request, each a child of its operation's span.
    assert len(upstream) == len(sandbox.requests)
    by_id = {s.context.span_id: s for s in operations}
    for span in upstream:
        assert span.parent is not None
        parent = by_id[span.parent.span_id]
        assert parent.context.trace_id == span.context.trace_id
    assert {(s.attributes or {})["gateway.upstream.endpoint"] for s in upstream} >= {
        "create_cart",
        "create_order",
    }

    # Every upstream request carried the traceparent of its own span.
    sent = {request.headers["traceparent"].rsplit("-", 1)[0] for request in sandbox.requests}
    expected = {f"00-{s.context.trace_id:032x}-{s.context.span_id:016x}" for s in upstream}
    assert sent == expected

    for span in spans:
        texts = [str(v) for v in (span.attributes or {}).values()]
        texts += [str(v) for event in span.events for v in (event.attributes or {}).values()]
        texts.append(span.name)
        for value in SENT_VALUES:
            assert not any(value in text for text in texts), (span.name, value)
        assert "123" not in texts  # the CVV


async def test_incoming_trace_context_is_continued(sandbox) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    incoming = f"00-{trace_id}-00f067aa0ba902b7-01"
    async with observed_gateway(sandbox) as observed:
        await observed.gateway.run("CreateCart", _cart(), headers={"traceparent": incoming})
        spans = observed.spans.get_finished_spans()
    assert {f"{s.context.trace_id:032x}" for s in spans} == {trace_id}
    assert all(r.headers["traceparent"].split("-")[1] == trace_id for r in sandbox.requests)


async def test_trace_context_is_sent_with_export_off(sandbox, gateway) -> None:
    """The shared gateway exports nothing, yet BigCommerce still gets a traceparent."""
    await gateway.run("CreateCart", _cart())
    assert sandbox.requests
    for request in sandbox.requests:
        version, trace_id, span_id, _flags = request.headers["traceparent"].split("-")
        assert version == "00" and int(trace_id, 16) and int(span_id, 16)


def _cart() -> dict[str, object]:
    return {"input": {"lineItems": [{"productId": 111, "quantity": 1}], "currencyCode": "USD"}}
