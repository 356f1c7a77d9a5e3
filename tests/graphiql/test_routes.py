"""The page's assets, served by asset_routes() in a bare Starlette app."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from gateway.graphiql import asset_routes, render_page
from gateway.graphiql.assets import sri_sha384
from gateway.graphiql.page import ASSET_CACHE_CONTROL
from tests.graphiql.graphiql_page_tags import PageTags


async def graphiql(_request: Request) -> HTMLResponse:
    page, csp = render_page()
    return HTMLResponse(page, headers={"Content-Security-Policy": csp})


def bare_app() -> Starlette:
    return Starlette(routes=[Route("/graphiql", graphiql), *asset_routes()])


def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=bare_app())
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


def loaded(tags: PageTags) -> list[tuple[str, str]]:
    found = []
    for tag, attrs in tags.tags:
        if tag == "script" and "src" in attrs:
            found.append((attrs["src"], attrs["integrity"]))
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            found.append((attrs["href"], attrs["integrity"]))
    return found


async def test_every_asset_is_served_as_pinned(page_tags: PageTags) -> None:
    async with client() as http:
        for url, integrity in loaded(page_tags):
            response = await http.get(url)
            assert response.status_code == 200, url
            kind = "text/css" if url.endswith(".css") else "text/javascript"
            assert response.headers["content-type"].startswith(kind), url
            assert response.headers["cache-control"] == ASSET_CACHE_CONTROL
            assert response.headers["x-content-type-options"] == "nosniff"
            assert sri_sha384(response.content) == integrity, url


async def test_page_is_served_with_its_csp() -> None:
    async with client() as http:
        response = await http.get("/graphiql")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == render_page()[1]


async def test_unknown_and_escaping_paths_are_not_found() -> None:
    async with client() as http:
        assert (await http.get("/graphiql/assets/nope.js")).status_code == 404
        assert (await http.get("/graphiql/assets/../page.py")).status_code == 404
        assert (await http.get("/graphiql/assets/%2e%2e/page.py")).status_code == 404
