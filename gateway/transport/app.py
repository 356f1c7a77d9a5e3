"""The Starlette application: ``/graphql`` (and GraphiQL), health, readiness, ``/metrics``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from graphql import specified_rules
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import deadline
from gateway.graphiql import asset_routes, render_page
from gateway.observability import Observability
from gateway.observability.middleware import RequestObservability
from gateway.runtime import Runtime
from gateway.schema import build_schema
from gateway.schema.context import Context
from gateway.settings import Settings
from gateway.transport.documents import DocumentCache
from gateway.transport.graphql_http import GraphQLEndpoint
from gateway.transport.limits import QueryLimits, limit_rules
from gateway.transport.security import GraphQLGuard, GuardConfig, SecurityHeaders


class DeadlineMiddleware:
    """Every request runs under the deadline; upstream waits are sized from what is left."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with deadline.deadline_in(self.seconds):
            await self.app(scope, receive, send)


def create_app(settings: Settings, observability: Observability | None = None) -> Starlette:
    holder: dict[str, Runtime] = {}
    obs = observability or Observability()
    metrics = obs.metrics

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await Runtime.open(settings, obs.observer, obs.observer)
        holder["runtime"] = runtime
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.close()
            await asyncio.sleep(0)  # let aiohttp close its transports

    def context_of(request: Request) -> Context:
        runtime = holder["runtime"]
        return Context(
            checkout=runtime.checkout,
            payments=runtime.payments,
            client_key=request.scope.get("gateway.client_key"),
            facts=request.scope.get("gateway.facts", {}),  # shared with the access log
        )

    schema = build_schema()
    rules = list(specified_rules)
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)  # _service stays: it is a plain field
    limits = QueryLimits(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_root_fields=settings.max_root_fields,
    )
    rules.extend(limit_rules(limits))  # checked once per document, cached with it
    hide_suggestions = not settings.sandbox and not settings.debug
    documents = DocumentCache(
        schema._schema, rules, max_tokens=settings.max_tokens, hide_suggestions=hide_suggestions
    )
    metrics.mirror(lambda: documents.hits, metrics.cache_lookups.labels("document", "hit"))
    metrics.mirror(lambda: documents.misses, metrics.cache_lookups.labels("document", "miss"))
    endpoint = GraphQLEndpoint(
        schema._schema,
        documents,
        context_of,
        debug=settings.debug,
        hide_suggestions=hide_suggestions,
    )

    async def graphql(request: Request) -> Response:
        if settings.graphiql and _wants_html(request):
            html, csp = render_page("/graphql")
            return HTMLResponse(html, headers={"Content-Security-Policy": csp})
        return await endpoint(request)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        runtime = holder.get("runtime")
        if runtime is None or not runtime.ready:
            return JSONResponse({"status": "starting"}, status_code=503)
        if not await runtime.is_ready():
            return JSONResponse({"status": "shared store unreachable"}, status_code=503)
        return JSONResponse({"status": "ready", "sandbox": settings.sandbox})

    async def metrics_page(_request: Request) -> Response:
        body, content_type = metrics.exposition()
        return Response(body, headers={"Content-Type": content_type})

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_page),
    ]
    if settings.graphiql:
        routes.extend(asset_routes())
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(DeadlineMiddleware, seconds=settings.deadline_s)
    # Added last = outermost: headers on every answer, CORS preflights before the client key.
    app.add_middleware(
        GraphQLGuard,
        config=GuardConfig(
            client_keys=settings.client_keys,
            max_body_bytes=settings.max_body_bytes,
            rate_limit=settings.client_rate_limit,
            rate_window_s=settings.client_rate_window_s,
            graphiql=settings.graphiql,
        ),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Apollographql-Client-Name"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, hsts=not settings.sandbox)
    # Outermost: the request id and the access-log line cover every answer, 401s included.
    app.add_middleware(RequestObservability, metrics=metrics, tracer=obs.tracer)
    app.state.documents = documents
    return app


def app_from_env() -> Starlette:
    """The app of one ``checkout-gateway serve --workers N`` worker (a uvicorn factory)."""
    from gateway.cli import install_logging, worker_settings

    install_logging()
    return create_app(worker_settings())


def _wants_html(request: Request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )
