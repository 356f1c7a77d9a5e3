"""OpenTelemetry: one span per GraphQL operation and one per upstream attempt.

Export is off unless the standard ``OTEL_TRACES_EXPORTER`` (``console`` or
``otlp``) or ``OTEL_EXPORTER_OTLP_ENDPOINT`` asks for it. Off, spans are not
recorded but still get ids, so every upstream request carries a W3C
``traceparent`` that BigCommerce-side logs can be matched on. Span attributes
are names, kinds and statuses only: never a variable, an id or card data.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext

from opentelemetry import propagate, trace
from opentelemetry.context import Context as OtelContext
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    Tracer,
)

log = logging.getLogger("gateway.tracing")


def _exporter_from_env(env: Mapping[str, str]) -> SpanExporter | None:
    names = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if not names and env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        names = "otlp"
    if not names or names == "none" or env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    name = names.split(",")[0].strip()
    if name == "console":
        return ConsoleSpanExporter()
    if name == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
                OTLPSpanExporter,
            )
        except ImportError:
            log.warning(
                "OTEL_TRACES_EXPORTER=otlp needs opentelemetry-exporter-otlp-proto-http; "
                "traces are not exported"
            )
            return None
        exporter: SpanExporter = OTLPSpanExporter()  # reads OTEL_EXPORTER_OTLP_* itself
        return exporter
    log.warning("unsupported OTEL_TRACES_EXPORTER %r; traces are not exported", name)
    return None


def provider_from_env(env: Mapping[str, str] | None = None) -> TracerProvider:
    exporter = _exporter_from_env(os.environ if env is None else env)
    if exporter is None:
        return TracerProvider(sampler=ALWAYS_OFF)
    provider = TracerProvider()  # sampler from OTEL_TRACES_SAMPLER, default parent-based on
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def incoming_context(headers: list[tuple[bytes, bytes]]) -> OtelContext | None:
    """The caller's trace context, when it sent one."""
    carrier = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in headers
        if name in (b"traceparent", b"tracestate")
    }
    return propagate.extract(carrier) if carrier else None


def ids_only(tracer: Tracer) -> bool:
    """Export off (``provider_from_env``'s ALWAYS_OFF sampler): no span is ever recorded, so
    spans only carry ids, for the ``traceparent`` sent upstream."""
    return getattr(tracer, "sampler", None) is ALWAYS_OFF


_RANDOM_TRACE_ID = TraceFlags.RANDOM_TRACE_ID


def unsampled_server_span(incoming: OtelContext | None) -> Span:
    """What the SDK's ``Tracer.start_span`` returns under ALWAYS_OFF, made directly.

    A non-recording child of the caller's span (its trace id, trace state and random-id
    flag) or the root of a new trace, with a fresh span id; without the sampler call, the
    SDK's checks and its span metrics, which record nothing for a dropped span.
    """
    parent = trace.get_current_span(incoming).get_span_context()
    span_id = random.getrandbits(64) or 1
    if parent.is_valid:
        context = SpanContext(
            parent.trace_id,
            span_id,
            is_remote=False,
            trace_flags=TraceFlags(parent.trace_flags & _RANDOM_TRACE_ID),
            trace_state=parent.trace_state,
        )
    else:
        context = SpanContext(
            random.getrandbits(128) or 1,
            span_id,
            is_remote=False,
            trace_flags=TraceFlags(_RANDOM_TRACE_ID),
        )
    return NonRecordingSpan(context)


class UpstreamTracing:
    def __init__(self, tracer: Tracer) -> None:
        self._tracer = tracer
        # Export off: no span would be recorded, so an attempt only needs its traceparent
        # (a fresh span id in the current trace), not a span object and the propagators.
        self._ids_only = ids_only(tracer)

    def attempt(
        self, endpoint: str, method: str, headers: Mapping[str, str]
    ) -> AbstractContextManager[Mapping[str, str]]:
        """A client span for one attempt; yields the headers with its trace context added."""
        if self._ids_only:  # no generator-based context manager for what needs none
            return nullcontext(_with_unsampled_traceparent(headers))
        return self._recorded_attempt(endpoint, method, headers)

    @contextmanager
    def _recorded_attempt(
        self, endpoint: str, method: str, headers: Mapping[str, str]
    ) -> Iterator[Mapping[str, str]]:
        with self._tracer.start_as_current_span(
            f"{method} {endpoint}",
            kind=SpanKind.CLIENT,
            attributes={"http.request.method": method, "gateway.upstream.endpoint": endpoint},
            record_exception=False,  # exception texts may quote upstream data
            set_status_on_exception=False,
        ) as span:
            sent = dict(headers)
            propagate.inject(sent)
            try:
                yield sent
            except BaseException as exc:
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                raise

    def finished(self, status: str) -> None:
        if self._ids_only:
            return  # the current span is an unsampled one: nothing to set on it
        span = trace.get_current_span()
        if not span.is_recording():
            return
        if status.isdigit():
            span.set_attribute("http.response.status_code", int(status))
            if int(status) < 400:
                return
        else:
            span.set_attribute("error.type", status)  # error / timeout
        span.set_status(Status(StatusCode.ERROR))


def _with_unsampled_traceparent(headers: Mapping[str, str]) -> dict[str, str]:
    """What ``propagate.inject`` writes for an unsampled child of the current span."""
    parent = trace.get_current_span().get_span_context()
    sent = dict(headers)
    trace_id = parent.trace_id if parent.is_valid else random.getrandbits(128) or 1
    span_id = random.getrandbits(64) or 1
    sent["traceparent"] = f"00-{trace_id:032x}-{span_id:016x}-00"
    if parent.is_valid and parent.trace_state:
        sent["tracestate"] = parent.trace_state.to_header()
    return sent
