"""Strawberry's ASGI view, given our context and the per-request deadline."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway.runtime import Runtime
from gateway.schema.context import Context


class GatewayGraphQL(GraphQL[Context, None]):
    def __init__(self, runtime_of: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._runtime_of = runtime_of

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        runtime: Runtime = self._runtime_of(request)
        return Context(
            checkout=runtime.checkout,
            payments=runtime.payments,
            client_key=request.scope.get("gateway.client_key"),
        )
