"""GraphiQL's tabs on a real gateway over the sandbox store, in headless Chromium.

One tab per step, nothing flagged by the editors on load, and the guest tabs run in order
from a new cart to a paid order, with every request to the gateway's own origin and no
console error. Launches Debian's Chromium (nothing downloaded); skipped without it or
without Playwright (failed under CI). Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from graphql import OperationDefinitionNode, parse, print_ast

from gateway.bootstrap import create_app
from gateway.graphiql.tabs import GUEST, SIGNED_IN, Tab, flow_tabs, served_operation_types
from gateway.sandbox import SandboxServer
from gateway.schema import build_schema
from tests import needs
from tests.artifacts import artifact_path
from tests.graphiql.graphiql_driver import (
    SCHEMA_LOADED_JS,
    lint_now,
    open_tab,
    poll,
    run_active_tab,
    set_variables,
    tab_titles,
)
from tests.live_gateway import gateway_settings, serve, stop

# What each guest step's answer shows once it worked (its root field's payload).
GUEST_ANSWERS = {
    "CreateCart": "redirectUrls",
    "AddBillingAddress": "billingAddress",
    "AddConsignment": "availableShippingOptions",
    "SelectShippingOption": "selectedShippingOption",
    "CreateOrder": "Incomplete",
    "PaymentMethods": "braintree.card",
    "PayWithCard": "Awaiting Fulfillment",
    "Order": "Awaiting Fulfillment",
    "OrderStatus": "Awaiting Fulfillment",
}


# The signed-in set, SignIn first: customer 1 pays with the card they saved.
SIGNED_IN_ANSWERS = {
    "SignIn": "expiresAt",
    "CreateCart": "redirectUrls",
    "AddBillingAddress": "billingAddress",
    "AddConsignment": "availableShippingOptions",
    "SelectShippingOption": "selectedShippingOption",
    "CreateOrder": "Incomplete",
    "PaymentMethods": "storedInstruments",
    "PayWithStoredCard": "Awaiting Fulfillment",
    "Order": "Awaiting Fulfillment",
    "Shopper": "jane@example.com",
    "SignOut": "signOut",
}


@asynccontextmanager
async def browser_page(url: str) -> AsyncIterator[tuple[Any, list[str], list[str]]]:
    """A fresh Chromium page on ``url``'s GraphiQL: (page, requested URLs, problems)."""
    chromium = needs.chromium()
    from playwright import async_api

    seen: list[str] = []
    problems: list[str] = []
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium, headless=True, args=needs.CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport={"width": 1600, "height": 1000})
            page.on("request", lambda request: seen.append(request.url))
            page.on("websocket", lambda socket: seen.append(socket.url))
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
            await page.goto(f"{url}/graphql")
            await page.wait_for_selector(".graphiql-container .graphiql-query-editor")
            await poll(page, SCHEMA_LOADED_JS)
            yield page, seen, problems
        finally:
            await browser.close()


@asynccontextmanager
async def gateway(sandbox: SandboxServer) -> AsyncIterator[str]:
    server, task, url = await serve(create_app(gateway_settings(sandbox)))
    try:
        yield url
    finally:
        await stop(server, task)


def gateway_tabs() -> list[Tab]:
    """The tabs the gateway's page opens with (its schema decides which kinds)."""
    return flow_tabs(served_operation_types(build_schema()._schema))


def first_line(query: str) -> str:
    return query.split("\n", 1)[0]


def declared(tab: Tab) -> list[str]:
    """The tab operation's variables as GraphiQL prints them: "input: CreateCartInput!"."""
    document = parse(tab.query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return [
        f"{v.variable.name.value}: {print_ast(v.type)}"
        for v in operation.variable_definitions or ()
    ]


async def open_step(page: Any, index: int, tab: Tab) -> None:
    await open_tab(page, index, first_line(tab.query), declared(tab), tab.operation)


async def test_one_tab_per_step_and_nothing_flagged_on_load(sandbox: SandboxServer) -> None:
    tabs = gateway_tabs()
    async with gateway(sandbox) as url, browser_page(url) as (page, seen, problems):
        titles = await tab_titles(page)
        findings = {}
        for index, tab in enumerate(tabs):
            await open_step(page, index, tab)
            findings[index] = await lint_now(page)
        # The check can see a flag: a variable the operation does not declare is one.
        await set_variables(page, '{"notAVariableOfThisOperation": 1}')
        flagged = await lint_now(page)
    assert titles == [tab.operation for tab in tabs]
    for index, editors in findings.items():
        query, variables, _headers = editors
        assert query["text"] == tabs[index].query
        assert json.loads(variables["text"] or "null") == json.loads(
            tabs[index].variables or "null"
        )
        for editor in editors:
            assert not editor.get("missing"), (tabs[index].operation, editor)
            assert editor["marks"] == [] and editor["markers"] == 0, (tabs[index].operation, editor)
    assert flagged[1]["marks"] == ['"notAVariableOfThisOperation"']
    assert all(u.startswith((url + "/", "data:")) for u in seen), seen
    assert problems == []


async def test_guest_tabs_run_in_order_to_a_paid_order(sandbox: SandboxServer) -> None:
    tabs = gateway_tabs()
    guest = [(i, t) for i, t in enumerate(tabs) if t.audience == GUEST]
    steps = [(i, t) for i, t in guest if t.operation in GUEST_ANSWERS]
    assert [t.operation for _, t in steps][:8] == list(GUEST_ANSWERS)[:8]
    answers: dict[str, dict[str, Any]] = {}
    async with gateway(sandbox) as url, browser_page(url) as (page, seen, problems):
        for index, tab in steps:
            await open_step(page, index, tab)
            answers[tab.operation] = json.loads(
                await run_active_tab(page, GUEST_ANSWERS[tab.operation])
            )
        await page.screenshot(path=str(artifact_path("graphiql-tabs.png")), full_page=True)
        remembered = await page.evaluate("window.checkoutFlow.remembered('guest')")
    cart = answers["CreateCart"]["data"]["createCart"]["cart"]
    order = answers["CreateOrder"]["data"]["createOrder"]["order"]
    paid = answers["PayWithCard"]["data"]["payWithCard"]
    assert remembered["cartId"] == cart["id"] and remembered["orderId"] == order["id"]
    assert paid["errors"] == [] and paid["order"]["id"] == order["id"]
    assert paid["order"]["statusId"] == 11
    assert answers["Order"]["data"]["order"]["status"] == "Awaiting Fulfillment"
    if "OrderStatus" in answers:  # the schema serves subscriptions: streamed over WebSocket
        event = answers["OrderStatus"]["data"]["orderStatusChanged"]
        assert event["id"] == order["id"] and event["status"] == "Awaiting Fulfillment"
        assert url.replace("http", "ws", 1) + "/graphql" in seen
    charged = [r for r in sandbox.requests if r.path.endswith("/payments")]
    assert len(charged) == 1  # the sandbox store really took one payment
    assert all(u.startswith((url + "/", "data:", url.replace("http", "ws", 1))) for u in seen)
    assert problems == []


async def test_signed_in_tabs_send_the_sign_in_token_and_pay_with_a_stored_card(
    sandbox: SandboxServer,
) -> None:
    tabs = gateway_tabs()
    steps = [(i, t) for i, t in enumerate(tabs) if t.audience == SIGNED_IN]
    steps = [(i, t) for i, t in steps if t.operation in SIGNED_IN_ANSWERS]
    assert [t.operation for _, t in steps] == list(SIGNED_IN_ANSWERS)
    answers: dict[str, dict[str, Any]] = {}
    badges: dict[str, str] = {}
    async with gateway(sandbox) as url, browser_page(url) as (page, seen, problems):
        for index, tab in steps:
            await open_step(page, index, tab)
            badges[tab.operation] = await page.locator(".checkout-flow-audience").inner_text()
            answers[tab.operation] = json.loads(
                await run_active_tab(page, SIGNED_IN_ANSWERS[tab.operation])
            )
            if tab.operation == "SignIn":
                signed_in = await page.evaluate("window.checkoutFlow.signedIn()")
        signed_out = await page.evaluate("window.checkoutFlow.signedIn()")
        stored = await page.evaluate("JSON.stringify({...window.sessionStorage})")
    token = answers["SignIn"]["data"]["signIn"]["token"]
    assert signed_in and not signed_out
    # Beside the tabs: SignIn itself goes as a guest, every later tab as the shopper.
    assert badges == {name: "Guest" if name == "SignIn" else "Signed in" for name in answers}
    assert token not in stored  # the page keeps the token in memory only
    order = answers["CreateOrder"]["data"]["createOrder"]["order"]
    paid = answers["PayWithStoredCard"]["data"]["payWithStoredCard"]
    assert paid["errors"] == [] and paid["order"]["id"] == order["id"]
    assert paid["order"]["statusId"] == 11
    assert answers["Shopper"]["data"]["shopper"]["customerId"] == 1
    assert answers["SignOut"]["data"]["signOut"]["errors"] == []
    # The cart was customer 1's: only the token (sent by the tabs) can have said so.
    carts = [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/v3/carts")]
    assert len(carts) == 1 and carts[0].json()["customer_id"] == 1
    assert all(u.startswith((url + "/", "data:")) for u in seen), seen
    assert problems == []
