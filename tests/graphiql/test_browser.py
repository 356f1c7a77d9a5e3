"""Headless Chromium opens the page under its CSP and runs the flow's first steps.

Needs the playwright package and a system Chromium (it launches /usr/bin/chromium;
nothing is downloaded): skipped without them, failed under CI. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from gateway.graphiql import asset_routes, render_page
from gateway.graphiql.page import SCROLL_LOCK_STYLE
from tests import needs


@pytest.fixture(scope="module")
def chromium() -> str:
    return needs.chromium()


# Just enough of a schema for GraphiQL to start; the canned answers below drive the flow.
SCHEMA_SDL = "type Query { checkout(id: ID!): String } type Mutation { createCart: String }"


class FakeGateway:
    """Records what the page sends and answers the flow's operations with canned data."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def graphql(self, request: Request) -> JSONResponse:
        from graphql import build_schema, graphql_sync

        body = await request.json()
        name = body.get("operationName")
        if name == "IntrospectionQuery" or "__schema" in body.get("query", ""):
            result = graphql_sync(build_schema(SCHEMA_SDL), body["query"])
            return JSONResponse({"data": result.data})
        self.requests.append(body)
        if name == "CreateCart":
            cart = {"id": "cart-42", "currencyCode": "USD", "lineItems": [{"id": "line-7"}]}
            return JSONResponse({"data": {"createCart": {"cart": cart, "errors": []}}})
        return JSONResponse({"data": {"checkout": {"id": "cart-42"}}})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, FakeGateway]]:
    fake = FakeGateway()

    async def graphiql(_request: Request) -> HTMLResponse:
        page, csp = render_page()
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    app = Starlette(
        routes=[
            Route("/graphiql", graphiql),
            Route("/graphql", fake.graphql, methods=["POST"]),
            *asset_routes(),
        ]
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", fake
    server.should_exit = True
    thread.join(timeout=10)


def run_operation(page: Any, name: str, answer_field: str) -> list[str]:
    """Pick ``name`` from the run button's menu; returns the styles present while it is open."""
    from playwright import sync_api

    page.locator(".graphiql-execute-button").click()
    item = page.get_by_role("menuitem", name=name)
    item.wait_for()
    styles: list[str] = page.evaluate(
        "[...document.querySelectorAll('style')].map(s => s.textContent)"
    )
    item.click()
    # A locator wait, not a page-side predicate: polling one uses eval, which the CSP refuses.
    sync_api.expect(page.locator(".result-window")).to_contain_text(
        f'"{answer_field}"', timeout=15_000
    )
    return styles


def test_page_runs_under_its_csp_and_fills_placeholders(
    served: tuple[str, FakeGateway], chromium: str
) -> None:
    from playwright import sync_api

    base, fake = served
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=needs.CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.goto(f"{base}/graphiql")
        page.wait_for_selector(".graphiql-container .graphiql-query-editor")
        sync_api.expect(page.locator("body")).to_contain_text("fragment Money on Money")
        styles = run_operation(page, "CreateCart", "createCart")
        run_operation(page, "Checkout", "checkout")
        remembered = page.evaluate("window.checkoutFlow.remembered()")
        browser.close()
    assert problems == []  # no CSP violation, failed load or script error
    assert SCROLL_LOCK_STYLE in styles  # what the CSP allows by hash, still exact
    create_cart, checkout = fake.requests
    variables = json.loads(json.dumps(create_cart["variables"]))
    assert variables == {
        "input": {"lineItems": [{"productId": 111, "quantity": 2}], "currencyCode": "USD"}
    }
    assert checkout["operationName"] == "Checkout"
    assert checkout["variables"] == {"id": "cart-42"}
    assert remembered == {"cartId": "cart-42", "lineItemId": "line-7"}
