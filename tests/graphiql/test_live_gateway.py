"""GraphiQL on a real gateway: on by default in sandbox mode, off in production mode unless
GATEWAY_GRAPHIQL=1, and (in headless Chromium) the flow's CreateCart run from the editor.

The browser test launches Debian's Chromium (/usr/bin/chromium) through Playwright; nothing is
downloaded. It is skipped, naming the missing package, when either is absent (failed under
CI=true). Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gateway.bootstrap import create_app
from gateway.graphiql import render_page
from gateway.sandbox import SandboxServer
from gateway.settings import Settings
from tests import needs
from tests.live_gateway import gateway_settings, serve, stop

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def production(sandbox: SandboxServer, **env: str) -> Settings:
    """Production mode (store hash, token and secret set), pointed at the sandbox store."""
    return gateway_settings(
        sandbox,
        BIGCOMMERCE_STORE_HASH=sandbox.store_hash,
        BIGCOMMERCE_ACCESS_TOKEN=sandbox.token,
        GATEWAY_SECRET="graphiql-tests-secret-0123456789",
        **env,
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[str]:
    server, task, url = await serve(create_app(settings))
    try:
        yield url
    finally:
        await stop(server, task)


async def browser_get(url: str, path: str) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(url + path, headers=HTML) as resp:
        return resp.status, await resp.text(), dict(resp.headers)


def first_asset_path() -> str:
    match = re.search(r'src="(/graphiql/assets/[^"]+)"', render_page()[0])
    assert match is not None
    return match.group(1)


async def test_sandbox_mode_serves_graphiql_by_default(sandbox: SandboxServer) -> None:
    settings = gateway_settings(sandbox)
    assert settings.sandbox and settings.graphiql
    async with running(settings) as url:
        status, page, headers = await browser_get(url, "/graphql")
        asset_status, _, _ = await browser_get(url, first_asset_path())
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == render_page("/graphql")[1]
    assert "mutation CreateCart" in page
    assert asset_status == 200


@pytest.mark.parametrize("flag", [None, "0"])
async def test_production_mode_has_no_graphiql_unless_asked(
    sandbox: SandboxServer, flag: str | None
) -> None:
    settings = production(sandbox, **({"GATEWAY_GRAPHIQL": flag} if flag else {}))
    assert not settings.sandbox and not settings.graphiql
    async with running(settings) as url:
        status, body, headers = await browser_get(url, "/graphql")
        asset_status, _, _ = await browser_get(url, first_asset_path())
    assert status in (400, 404)
    assert headers["Content-Type"].startswith("application/json")
    assert "graphiql" not in body.lower()
    assert json.loads(body)["errors"]
    assert asset_status == 404


async def test_production_mode_serves_graphiql_when_asked(sandbox: SandboxServer) -> None:
    settings = production(sandbox, GATEWAY_GRAPHIQL="1")
    assert not settings.sandbox and settings.graphiql
    async with running(settings) as url:
        status, page, headers = await browser_get(url, "/graphql")
        asset_status, _, _ = await browser_get(url, first_asset_path())
    assert status == 200 and "mutation CreateCart" in page
    assert headers["Content-Security-Policy"] == render_page("/graphql")[1]
    assert asset_status == 200


def require_browser() -> tuple[Any, str]:
    """Playwright's async API and the system Chromium, or a skip (a failure in CI)."""
    path = needs.chromium()
    from playwright import async_api

    return async_api, path


async def test_browser_runs_create_cart_from_the_editor(sandbox: SandboxServer) -> None:
    async_api, chromium = require_browser()
    seen: list[str] = []
    problems: list[str] = []
    async with running(gateway_settings(sandbox)) as url, async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium, headless=True, args=needs.CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page()
            page.on("request", lambda request: seen.append(request.url))
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
            await page.goto(f"{url}/graphql")
            await page.wait_for_selector(".graphiql-container .graphiql-query-editor")
            # Locator waits run in Playwright's own isolated world: a page-side predicate
            # would be polled with eval, which the page's CSP (rightly) refuses.
            await async_api.expect(page.locator("body")).to_contain_text("fragment Money on Money")
            # The run button offers every operation of the document; pick CreateCart.
            await page.locator(".graphiql-execute-button").click()
            await page.get_by_role("menuitem", name="CreateCart").click()
            await async_api.expect(page.locator(".result-window")).to_contain_text(
                "redirectUrls", timeout=15_000
            )
            result = await page.locator(".result-window").inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "graphiql.png"), full_page=True)
        finally:
            await browser.close()

    cart_ids = UUID.findall(result)
    assert cart_ids, result
    assert cart_ids[0] in sandbox.state.carts  # the sandbox store really got the cart
    made = [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/v3/carts")]
    assert len(made) == 1
    assert '"errors": []' in result
    assert seen and all(u.startswith((url + "/", "data:")) for u in seen), seen
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert problems == []
