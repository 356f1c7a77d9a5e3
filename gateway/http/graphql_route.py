"""``GET``/``POST /graphql`` handed to the endpoint directly, past Starlette's router.

Starlette reaches a route through its exception middleware, the router's matching, the
route's method check and a request/response wrapper that makes a second ``Request`` and
catches exceptions a second time. The endpoint raises no ``HTTPException`` and the app
registers no exception handlers, so for these two methods that machinery changes nothing
but the cost: 2% of a checkout read's instructions, 4% of a cached paymentMethods read's.
Every other request (HEAD and other methods on the path included: Starlette answers
HEAD or 405 itself) goes through the router as before; an exception still reaches
``ServerErrorMiddleware`` (500).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


class GraphQLRoute:
    def __init__(self, app: ASGIApp, path: str, endpoint: Endpoint) -> None:
        self.app = app
        self.path = path
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == self.path
            and scope["method"] in ("GET", "POST")
        ):
            response = await self.endpoint(Request(scope, receive, send))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
