"""The Starlette application: ``/graphql`` (and GraphiQL), health, readiness, ``/metrics``.

It is handed the way to open the services (the composition root, ``gateway.bootstrap``,
decides what they are built from); the lifespan opens them once per process and
keeps them on ``app.state.runtime``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from graphql import specified_rules
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import deadline
from gateway.domain.cart_editing import CartEditingFlows
from gateway.domain.checkout import CheckoutFlows
from gateway.domain.identity import SHOPPER_TOKEN_HEADER, ShopperIdentity, identify
from gateway.domain.live_orders import LiveOrders
from gateway.domain.order_events import OrderStatusFeed
from gateway.domain.orders import OrderFlows
from gateway.domain.payments import PaymentFlows
from gateway.domain.ports import ShopperTokens
from gateway.domain.shoppers import ShopperFlows
from gateway.errors import GatewayError
from gateway.graphiql import asset_routes, render_page, served_operation_types
from gateway.graphql.documents import DocumentCache
from gateway.graphql.limits import QueryLimits, limit_rules
from gateway.graphql.persisted_operations import load_persisted_operations
from gateway.http.client_limit import ClientRateLimit
from gateway.http.graphql_http import GraphQLEndpoint, request_error
from gateway.http.graphql_route import GraphQLRoute
from gateway.http.live_status import build_live_status
from gateway.http.routes import (
    GRAPHQL_PATH,
    HEALTH_PATH,
    METRICS_PATH,
    READY_PATH,
    is_graphiql_page_request,
)
from gateway.http.scope_headers import first_header
from gateway.http.security import GraphQLGuard, GuardConfig, SecurityHeaders
from gateway.http.webhooks import WEBHOOK_PATH
from gateway.observability import Observability
from gateway.observability.middleware import RequestObservability
from gateway.schema import build_schema
from gateway.schema.context import Context
from gateway.schema.subscriptions import SubscriptionContext
from gateway.settings import Settings


class Services(Protocol):
    """What the app serves from: the flows, and whether they are ready."""

    checkout: CheckoutFlows
    payments: PaymentFlows
    live_orders: LiveOrders
    feed: OrderStatusFeed
    editing: CartEditingFlows
    orders: OrderFlows
    tokens: ShopperTokens
    shoppers: ShopperFlows
    ready: bool

    async def is_ready(self) -> bool: ...

    async def close(self) -> None: ...


OpenServices = Callable[[Observability], Awaitable[Services]]


class WebSocketsFirst:
    """``/graphql`` WebSockets go straight to the subscription server.

    The other middlewares pass websocket scopes through untouched anyway; skipping them
    (and the router) keeps their frames off each of thousands of idle connections.
    """

    def __init__(self, app: ASGIApp, path: str, websocket: ASGIApp) -> None:
        self.app = app
        self.path = path
        self.websocket = websocket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == self.path:
            await self.websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)


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


SHOPPER_TOKEN = SHOPPER_TOKEN_HEADER.lower().encode("ascii")  # as ASGI scopes carry names


def build_app(settings: Settings, open_services: OpenServices, obs: Observability) -> Starlette:
    metrics = obs.metrics

    # The lifespan's services, also held here: the request path reads them without going
    # through Starlette's ``State.__getattr__`` twice per request.
    opened: list[Services] = []

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await open_services(obs)
        app.state.runtime = runtime
        opened[:] = [runtime]
        try:
            yield
        finally:
            # Answered webhooks finish, open subscriptions end cleanly (1001 / the
            # multipart end), then the feed and the upstream session close.
            await live_status.drain(5.0)
            await runtime.close()
            await asyncio.sleep(0)  # let aiohttp close its transports

    def context_of(request: Request) -> Context:
        runtime = opened[0]
        client = request.scope.get("client")
        return Context(
            checkout=runtime.checkout,
            payments=runtime.payments,
            editing=runtime.editing,
            orders=runtime.orders,
            shoppers=runtime.shoppers,
            client_key=request.scope.get("gateway.client_key"),
            shopper=request.scope.get("gateway.shopper"),
            client_address=client[0] if client else "",
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
    persisted = None
    if settings.persisted_operations:  # checked and pinned now: a bad manifest stops the start
        persisted = load_persisted_operations(
            settings.persisted_operations, documents, safelist=settings.safelist
        )
    endpoint = GraphQLEndpoint(
        schema._schema,
        documents,
        context_of,
        debug=settings.debug,
        hide_suggestions=hide_suggestions,
        persisted=persisted,
    )

    # GraphiQL opens tabs only for the kinds of operation this schema serves.
    graphiql_operation_types = served_operation_types(schema._schema)

    def subscription_context(runtime: Services, client_key: str | None) -> SubscriptionContext:
        return SubscriptionContext(
            checkout=runtime.checkout,
            payments=runtime.payments,
            editing=runtime.editing,
            orders=runtime.orders,
            shoppers=runtime.shoppers,
            client_key=client_key,
        )

    async def verify_shopper(runtime: Services, token: str | None) -> ShopperIdentity | None:
        # The same verification as X-Shopper-Token on HTTP (a bad token raises, never a guest).
        return await identify(runtime.tokens, token)

    # One per-client limit for HTTP requests and WebSocket connections and subscribes.
    client_limit = (
        ClientRateLimit(
            settings.client_rate_limit,
            settings.client_rate_window_s,
            shared=lambda: getattr(getattr(app.state, "runtime", None), "client_limit", None),
        )
        if settings.client_rate_limit > 0
        else None
    )
    live_status, endpoint.subscribe = build_live_status(
        settings,
        schema._schema,
        endpoint,
        lambda: app.state.runtime,
        subscription_context,
        verify_shopper=verify_shopper,
        client_limit=client_limit,
        observer=obs.live_status,
        webhook_observer=obs.live_status,
    )

    async def graphql(request: Request) -> Response:
        if settings.graphiql and is_graphiql_page_request(request.scope):
            html, csp = render_page(GRAPHQL_PATH, graphiql_operation_types)
            return HTMLResponse(html, headers={"Content-Security-Policy": csp})
        runtime = opened[0]
        try:
            # Verified in microseconds, no upstream call; a bad token is never a guest.
            token = first_header(request.scope, SHOPPER_TOKEN)
            shopper = await identify(runtime.tokens, token) if token else None
        except GatewayError as exc:
            facts = request.scope.get("gateway.facts")
            if facts is not None:
                facts["outcome"] = exc.code.value
            return request_error(401, exc.message, exc.code.value)
        request.scope["gateway.shopper"] = shopper
        return await endpoint(request)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        runtime: Services | None = getattr(request.app.state, "runtime", None)
        if runtime is None or not runtime.ready:
            return JSONResponse({"status": "starting"}, status_code=503)
        if not await runtime.is_ready():
            return JSONResponse({"status": "shared store unreachable"}, status_code=503)
        return JSONResponse({"status": "ready", "sandbox": settings.sandbox})

    async def metrics_page(_request: Request) -> Response:
        body, content_type = metrics.exposition()
        return Response(body, headers={"Content-Type": content_type})

    routes: list[BaseRoute] = [
        Route(GRAPHQL_PATH, graphql, methods=["GET", "POST"]),
        Route(HEALTH_PATH, healthz),
        Route(READY_PATH, readyz),
        Route(METRICS_PATH, metrics_page),
    ]
    if live_status.webhooks is not None:
        routes.append(Route(WEBHOOK_PATH, live_status.webhooks))  # it answers 405 itself
    if settings.graphiql:
        routes.extend(asset_routes())
    app = Starlette(routes=routes, lifespan=lifespan)
    # Innermost: the endpoint without the router (the route above still serves HEAD/405).
    app.add_middleware(GraphQLRoute, path=GRAPHQL_PATH, endpoint=graphql)
    app.add_middleware(DeadlineMiddleware, seconds=settings.deadline_s)
    # Added last = outermost: headers on every answer, CORS preflights before the client key.
    app.add_middleware(
        GraphQLGuard,
        limit=client_limit,
        config=GuardConfig(
            client_keys=settings.client_keys,
            max_body_bytes=settings.max_body_bytes,
            graphiql=settings.graphiql,
        ),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Apollographql-Client-Name",
                SHOPPER_TOKEN_HEADER,
            ],
            expose_headers=[SHOPPER_TOKEN_HEADER],  # signIn's answer carries the token
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, hsts=not settings.sandbox)
    # Outermost: the request id and the access-log line cover every answer, 401s included.
    app.add_middleware(
        RequestObservability, metrics=metrics, tracer=obs.tracer, graphql_path=GRAPHQL_PATH
    )
    app.add_middleware(WebSocketsFirst, path=GRAPHQL_PATH, websocket=live_status.websocket)
    app.state.documents = documents
    app.state.live_status = live_status
    return app
