"""The Starlette application: ``/graphql``, ``/healthz``, ``/readyz``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import deadline
from gateway.runtime import Runtime
from gateway.schema import build_schema
from gateway.settings import Settings
from gateway.transport.graphql_view import GatewayGraphQL


class DeadlineMiddleware:
    """Every GraphQL request is answered within the deadline, whatever happens upstream."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with deadline.deadline_in(self.seconds):
            await self.app(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    runtime_holder: dict[str, Runtime] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await Runtime.open(settings)
        runtime_holder["runtime"] = runtime
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.close()
            await asyncio.sleep(0)  # let aiohttp close its transports

    def runtime_of(_request: Any) -> Runtime:
        return runtime_holder["runtime"]

    graphql = GatewayGraphQL(
        runtime_of,
        schema=build_schema(),
        graphql_ide=None,
        allow_queries_via_get=True,
    )

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        runtime = runtime_holder.get("runtime")
        if runtime is None or not runtime.ready:
            return JSONResponse({"status": "starting"}, status_code=503)
        return JSONResponse({"status": "ready", "sandbox": settings.sandbox})

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(DeadlineMiddleware, seconds=settings.deadline_s)
    return app
