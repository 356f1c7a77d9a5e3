"""Headless Chromium opens the page under its CSP, runs the first tabs, and sends as a shopper.

Needs the playwright package and a system Chromium (it launches /usr/bin/chromium;
nothing is downloaded): skipped without them, failed under CI. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
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
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway.graphiql import asset_routes, render_page
from gateway.graphiql.page import SCROLL_LOCK_STYLE
from gateway.graphiql.tabs import (
    GUEST,
    SHOPPER_TOKEN_HEADER,
    SHOPPER_TOKEN_PLACEHOLDER,
    flow_tabs,
)
from tests import needs
from tests.graphiql.graphiql_driver import TAB_READY_JS


@pytest.fixture(scope="module")
def chromium() -> str:
    return needs.chromium()


# Just enough of a schema for GraphiQL to start; the canned answers below drive the flow.
SCHEMA_SDL = "type Query { checkout(id: ID!): String } type Mutation { createCart: String }"
SHOPPER_TOKEN = "shopper-token-for-the-fake"
# The headers of a signed-in tab, as gateway/graphiql/tabs.py writes them.
SIGNED_IN = {SHOPPER_TOKEN_HEADER: SHOPPER_TOKEN_PLACEHOLDER}


class FakeGateway:
    """Records what the page sends and answers the flow's operations with canned data."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.socket_inits: list[dict[str, Any]] = []
        self.introspections: list[str | None] = []

    async def graphql(self, request: Request) -> JSONResponse:
        from graphql import build_schema, graphql_sync

        body = await request.json()
        name = body.get("operationName")
        if name == "IntrospectionQuery" or "__schema" in body.get("query", ""):
            self.introspections.append(request.headers.get("x-shopper-token"))
            result = graphql_sync(build_schema(SCHEMA_SDL), body["query"])
            return JSONResponse({"data": result.data})
        body["shopperToken"] = request.headers.get("x-shopper-token")
        self.requests.append(body)
        if name == "SignIn":
            return JSONResponse({"data": {"signIn": {"token": SHOPPER_TOKEN, "errors": []}}})
        if name == "CreateCart":
            line = "line-7" if body["shopperToken"] is None else "line-8"
            cart = {"id": f"cart-{line}", "currencyCode": "USD", "lineItems": [{"id": line}]}
            return JSONResponse({"data": {"createCart": {"cart": cart, "errors": []}}})
        return JSONResponse({"data": {"addBillingAddress": {"checkout": None, "errors": []}}})

    async def socket(self, websocket: WebSocket) -> None:
        """Just enough graphql-transport-ws: ack, two statuses for one subscribe, complete."""
        await websocket.accept(subprotocol="graphql-transport-ws")
        init = await websocket.receive_json()
        self.socket_inits.append(init)
        await websocket.send_json({"type": "connection_ack"})
        subscribe = await websocket.receive_json()
        self.requests.append(subscribe["payload"])
        for status in ("Incomplete", "Awaiting Fulfillment"):
            event = {"data": {"orderStatusChanged": {"status": status}}}
            await websocket.send_json({"id": subscribe["id"], "type": "next", "payload": event})
        await websocket.send_json({"id": subscribe["id"], "type": "complete"})
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.receive_json()  # the client closes once nothing is left to run


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
            WebSocketRoute("/graphql", fake.socket),
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


FIRST_LINES = [tab.query.split("\n", 1)[0] for tab in flow_tabs()]
OPERATIONS = [tab.operation for tab in flow_tabs()]


def run_tab(page: Any, index: int, answer_field: str) -> None:
    """Select tab ``index``, press run, and wait for ``answer_field`` in the response."""
    from playwright import sync_api

    page.locator(f"#graphiql-session-tab-{index}").click()
    # Run only once GraphiQL has taken this tab's operation from its query (the schema has
    # none of its variables, so only the operation is waited for).
    for _ in range(200):
        if page.evaluate(TAB_READY_JS, [FIRST_LINES[index], [], OPERATIONS[index]]):
            break
        time.sleep(0.1)
    page.locator(".graphiql-execute-button").click()
    # A locator wait, not a page-side predicate: polling one uses eval, which the CSP refuses.
    sync_api.expect(page.locator(".result-window")).to_contain_text(
        f'"{answer_field}"', timeout=15_000
    )


def open_menu_styles(page: Any) -> list[str]:
    """The styles present while one of GraphiQL's menus (Radix) is open."""
    from playwright import sync_api

    page.get_by_role("button", name="Open settings dialog").click()
    sync_api.expect(page.get_by_role("dialog")).to_be_visible()
    styles: list[str] = page.evaluate(
        "[...document.querySelectorAll('style')].map(s => s.textContent)"
    )
    page.keyboard.press("Escape")
    return styles


# The fetcher GraphiQL calls, driven directly with a tab's headers.
SEND_JS = """async ([operationName, variables, headers]) => {
  return await window.checkoutFlow.fetcher(
    { query: "mutation " + operationName + " { x }", operationName, variables },
    { headers });
}"""


# A subscription through the same fetcher: GraphiQL hands it the parsed document.
SUBSCRIBE_JS = """async ([query, variables, headers]) => {
  const documentAST = window.GraphiQL.GraphQL.parse(query);
  const stream = await window.checkoutFlow.fetcher(
    { query, operationName: "OrderStatus", variables }, { headers, documentAST });
  const seen = [];
  for await (const result of stream) seen.push(result);
  return seen;
}"""
ORDER_STATUS = (
    "subscription OrderStatus($orderId: ID!) { orderStatusChanged(orderId: $orderId) { status } }"
)


def test_tabs_run_under_the_csp_and_fill_placeholders(
    served: tuple[str, FakeGateway], chromium: str
) -> None:
    from playwright import sync_api

    base, fake = served
    tabs = flow_tabs()
    guest = {tab.operation: index for index, tab in enumerate(tabs) if tab.audience == GUEST}
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
        titles = [t.strip() for t in page.locator(".graphiql-tab-button").all_inner_texts()]
        audience = page.locator(".checkout-flow-audience").get_attribute("data-audience")
        run_tab(page, guest["CreateCart"], "createCart")
        run_tab(page, guest["AddBillingAddress"], "addBillingAddress")
        styles = open_menu_styles(page)
        # A signed-in tab before any SignIn: not sent, and says what to run first.
        before = page.evaluate(SEND_JS, ["CreateCart", {}, SIGNED_IN])
        # The schema, fetched from a signed-in tab before any SignIn: sent, without the token.
        page.evaluate(SEND_JS, ["IntrospectionQuery", {}, SIGNED_IN])
        page.evaluate(SEND_JS, ["SignIn", {}, {}])
        page.evaluate(SEND_JS, ["CreateCart", {}, SIGNED_IN])
        page.evaluate(SEND_JS, ["AddBillingAddress", {"id": "<cart id>"}, SIGNED_IN])
        statuses = page.evaluate(SUBSCRIBE_JS, [ORDER_STATUS, {"orderId": "<cart id>"}, SIGNED_IN])
        guest_ids = page.evaluate("window.checkoutFlow.remembered('guest')")
        shopper_ids = page.evaluate("window.checkoutFlow.remembered('signedIn')")
        stored = page.evaluate("JSON.stringify({...window.sessionStorage})")
        browser.close()
    assert problems == []  # no CSP violation, failed load or script error
    assert SCROLL_LOCK_STYLE in styles  # what the CSP allows by hash, still exact
    assert titles == [tab.operation for tab in tabs]
    assert audience == ("signedIn" if tabs[0].headers else "guest")  # SignIn goes as a guest
    # The schema loads whatever the first tab's headers: no unfilled token is sent.
    assert len(fake.introspections) == 2 and set(fake.introspections) == {None}
    assert before == {
        "errors": [{"message": "Not sent: no value yet for <signIn.token> (run SignIn first)"}]
    }
    create_cart, add_billing, sign_in, shopper_cart, shopper_billing, subscribe = fake.requests
    assert create_cart["variables"] == {
        "input": {"lineItems": [{"productId": 111, "quantity": 2}], "currencyCode": "USD"}
    }
    assert create_cart["shopperToken"] is None
    assert add_billing["operationName"] == "AddBillingAddress"
    assert add_billing["variables"]["input"]["checkoutId"] == "cart-line-7"
    assert sign_in["shopperToken"] is None
    # The SignIn answer's token rides with every signed-in tab, and the ids they learn are
    # the shopper's own, apart from the guest's.
    assert shopper_cart["shopperToken"] == SHOPPER_TOKEN
    assert shopper_billing["shopperToken"] == SHOPPER_TOKEN
    assert shopper_billing["variables"] == {"id": "cart-line-8"}
    assert guest_ids == {"cartId": "cart-line-7", "lineItemId": "line-7"}
    assert shopper_ids == {"cartId": "cart-line-8", "lineItemId": "line-8"}
    assert SHOPPER_TOKEN not in stored  # the token is kept in memory only
    # Subscriptions: over a WebSocket to the page's own origin (the CSP's 'self' lets it
    # through), the tab's headers in connection_init, each event shown as it comes.
    assert fake.socket_inits == [
        {"type": "connection_init", "payload": {SHOPPER_TOKEN_HEADER: SHOPPER_TOKEN}}
    ]
    assert subscribe["variables"] == {"orderId": "cart-line-8"}
    assert [s["data"]["orderStatusChanged"]["status"] for s in statuses] == [
        "Incomplete",
        "Awaiting Fulfillment",
    ]
