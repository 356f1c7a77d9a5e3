"""Per request: an X-Request-Id, the operation span, the request metrics and one access-log line.

Pure ASGI (Starlette's BaseHTTPMiddleware costs a task and a queue per request).
The endpoint fills ``scope["gateway.facts"]`` (the same dict as ``Context.facts``):
operation name and type, outcome; the upstream observer adds the call count, and a
mutation payload its first error code (the outcome then, instead of ``ok``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer, set_span_in_context
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observability import request_facts
from gateway.observability.logs import AccessRecord, access_log
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.tracing import ids_only, incoming_context, unsampled_server_span
from gateway.redaction import redact


def _loggable(operation: str | None) -> str | None:
    # A client-chosen name; the access log has no card-data filter of its own.
    return redact(operation) if operation else operation


class RequestObservability:
    def __init__(
        self, app: ASGIApp, metrics: GatewayMetrics, tracer: Tracer, graphql_path: str
    ) -> None:
        self.app = app
        self.graphql_path = graphql_path
        self.metrics = metrics
        self.tracer = tracer
        self.ids_only = ids_only(tracer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming_id = value
                break
        rid = request_facts.accept_or_new(incoming_id)
        facts: dict[str, Any] = {"upstream_calls": 0}
        scope["gateway.facts"] = facts
        id_header = (b"x-request-id", rid.encode("ascii"))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        id_token = request_facts.request_id.set(rid)
        facts_token = request_facts.facts.set(facts)
        is_graphql = scope["path"] == self.graphql_path
        try:
            if is_graphql:
                await self._traced(scope, receive, send_with_id, facts)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            request_facts.facts.reset(facts_token)
            seconds = time.perf_counter() - started
            outcome = request_facts.outcome(facts, status)
            if is_graphql:
                self.metrics.request_finished(facts.get("operation"), outcome, seconds)
            if access_log.isEnabledFor(logging.INFO):
                fields = {
                    "method": scope["method"],
                    "path": scope["path"],  # never the query string: GET variables
                    "status": status,
                    "operation": _loggable(facts.get("operation")),
                    "outcome": outcome,
                    "duration_ms": round(seconds * 1000, 3),
                    "upstream_calls": facts["upstream_calls"],
                }
                # The record made directly: Logger.info would walk the stack for a source
                # file and line that no access line shows (a few % of a request's CPU).
                access_log.handle(AccessRecord(fields, rid))
            request_facts.request_id.reset(id_token)

    async def _traced(
        self, scope: Scope, receive: Receive, send: Send, facts: dict[str, Any]
    ) -> None:
        # start_span + attach, not start_as_current_span: the same span and context, without
        # its two generator-based context managers on every request.
        if self.ids_only:
            span = unsampled_server_span(incoming_context(scope["headers"]))
        else:
            span = self.tracer.start_span(
                "graphql",
                context=incoming_context(scope["headers"]),
                kind=SpanKind.SERVER,
                record_exception=False,  # an exception text may quote a variable
                set_status_on_exception=False,
            )
        token = otel_context.attach(set_span_in_context(span))
        try:
            await self.app(scope, receive, send)
        except BaseException as exc:
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        else:
            if span.is_recording():
                operation = self.metrics.operation_label(facts.get("operation"))
                kind = facts.get("type", "")
                span.update_name(f"graphql {kind} {operation}".replace("  ", " "))
                span.set_attribute("graphql.operation.name", operation)
                if kind:
                    span.set_attribute("graphql.operation.type", kind)
                outcome = facts.get("outcome")
                if outcome:
                    span.set_attribute("gateway.outcome", request_facts.outcome(facts, 200))
                    # A payload error (a decline) is an expected answer, like a 4xx: no error
                    # status; a top-level error is.
                    if outcome != "ok":
                        span.set_status(Status(StatusCode.ERROR))
        finally:
            otel_context.detach(token)
            span.end()
