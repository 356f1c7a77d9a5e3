"""GraphiQL on a real gateway: on by default in sandbox mode, off in production mode unless
GATEWAY_GRAPHIQL=1. (The flow run in a browser: test_tabs_in_browser.py.) Everything runs on
127.0.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from gateway.bootstrap import create_app
from gateway.graphiql import render_page
from gateway.sandbox import SandboxServer
from gateway.settings import Settings
from tests.live_gateway import gateway_settings, serve, stop

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


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
