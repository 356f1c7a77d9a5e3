"""GraphiQL (the gateway's own page, in Chromium) runs OrderStatus and sees a payment land."""

from __future__ import annotations

import pytest

from gateway.bootstrap import register_webhooks
from gateway.sandbox import SandboxServer
from tests import needs
from tests.flow import no_errors, pay_by_card, unpaid_order
from tests.live_gateway import LiveGateway
from tests.live_status.served import DOCUMENT

# Runs the page's own fetcher (what GraphiQL calls) and keeps its stream on the window.
START = """async ([query, orderId]) => {
  const results = await window.checkoutFlow.fetcher(
    { query, operationName: "OrderStatus", variables: { orderId } }, {});
  window.orderStatus = results[Symbol.asyncIterator]();
  return (await window.orderStatus.next()).value;
}"""
NEXT = "async () => (await window.orderStatus.next()).value"


@pytest.mark.slow
async def test_graphiql_shows_each_status_of_a_subscription(
    gateway: LiveGateway, sandbox: SandboxServer
) -> None:
    chromium = needs.chromium()
    from playwright.async_api import async_playwright

    settings = gateway.app.state.runtime.settings
    await register_webhooks(settings, f"{gateway.url}/webhooks/bigcommerce")
    order = await unpaid_order(gateway)
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=needs.CHROMIUM_ARGS
        )
        page = await browser.new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        await page.goto(f"{gateway.url}/graphql", wait_until="load")
        await page.wait_for_selector(".graphiql-container .graphiql-query-editor")
        first = await page.evaluate(START, [DOCUMENT, order["id"]])
        assert first["data"]["orderStatusChanged"]["status"] == "Incomplete"
        no_errors(await pay_by_card(gateway, order["id"]))
        second = await page.evaluate(NEXT)
        assert second["data"]["orderStatusChanged"]["status"] == "Awaiting Fulfillment"
        await browser.close()
    assert problems == []
