"""With export off, spans carry ids only: the server span made without the SDK's sampler
is the one the SDK would make, and upstream attempts continue its trace."""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import propagate
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import Span, SpanKind, set_span_in_context

from gateway.observability.tracing import (
    UpstreamTracing,
    ids_only,
    provider_from_env,
    unsampled_server_span,
)

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def _incoming(flags: str, state: str | None = None) -> Context:
    carrier = {"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-{flags}"}
    if state is not None:
        carrier["tracestate"] = state
    return propagate.extract(carrier)


def _sdk_span(incoming: Context | None) -> Span:
    tracer = TracerProvider(sampler=ALWAYS_OFF).get_tracer("test")
    return tracer.start_span("graphql", context=incoming, kind=SpanKind.SERVER)


def test_export_off_is_ids_only() -> None:
    assert ids_only(provider_from_env({}).get_tracer("test"))
    assert not ids_only(TracerProvider().get_tracer("test"))


def test_the_unsampled_server_span_is_the_one_the_sdk_makes() -> None:
    for incoming in (None, _incoming("00"), _incoming("01", "shop=1,vendor=x"), _incoming("03")):
        ours = unsampled_server_span(incoming)
        sdk = _sdk_span(incoming)
        mine, theirs = ours.get_span_context(), sdk.get_span_context()
        assert not ours.is_recording() and not sdk.is_recording()
        assert mine.is_valid and not mine.is_remote
        assert mine.trace_flags == theirs.trace_flags
        assert mine.trace_state == theirs.trace_state
        if incoming is None:
            assert mine.trace_id != theirs.trace_id  # both new traces
        else:
            assert f"{mine.trace_id:032x}" == f"{theirs.trace_id:032x}" == CALLER_TRACE
            assert f"{mine.span_id:016x}" != CALLER_SPAN  # a child, with its own id


def test_attempts_continue_the_server_span_trace_with_their_own_span_ids() -> None:
    tracing = UpstreamTracing(provider_from_env({}).get_tracer("test"))
    server = unsampled_server_span(_incoming("01", "shop=1"))
    token = otel_context.attach(set_span_in_context(server))
    try:
        sent = []
        for _ in range(2):
            with tracing.attempt("checkouts", "GET", {"Accept": "application/json"}) as headers:
                sent.append(dict(headers))
            tracing.finished("200")
    finally:
        otel_context.detach(token)
    trace_ids = {headers["traceparent"].split("-")[1] for headers in sent}
    span_ids = {headers["traceparent"].split("-")[2] for headers in sent}
    assert trace_ids == {CALLER_TRACE}
    assert len(span_ids) == 2 and f"{server.get_span_context().span_id:016x}" not in span_ids
    assert all(headers["traceparent"].endswith("-00") for headers in sent)  # not sampled
    assert all(headers["tracestate"] == "shop=1" for headers in sent)
    assert all(headers["Accept"] == "application/json" for headers in sent)
