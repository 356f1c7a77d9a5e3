"""GET and POST on the GraphQL path go straight to the endpoint; everything else to the router."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from gateway.http.graphql_route import GraphQLRoute


def app_with_route(seen: list[str]) -> Starlette:
    async def endpoint(request: Request) -> Response:
        seen.append(f"{request.method} {'endpoint' in request.scope}")
        return PlainTextResponse(f"{request.method} {(await request.body()).decode()}")

    app = Starlette(routes=[Route("/graphql", endpoint, methods=["GET", "POST"])])
    app.add_middleware(GraphQLRoute, path="/graphql", endpoint=endpoint)
    return app


async def test_get_and_post_skip_the_router_and_other_methods_keep_it() -> None:
    seen: list[str] = []
    transport = httpx.ASGITransport(app=app_with_route(seen))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.post("/graphql", content=b"{}")).text == "POST {}"
        assert (await client.get("/graphql")).text == "GET "
        assert seen == ["POST False", "GET False"]  # the router sets scope["endpoint"]
        head = await client.head("/graphql")
        assert head.status_code == 200 and seen[-1] == "HEAD True"  # Starlette's own HEAD
        refused = await client.put("/graphql")
        assert refused.status_code == 405
        assert set(refused.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
        assert (await client.post("/other")).status_code == 404
