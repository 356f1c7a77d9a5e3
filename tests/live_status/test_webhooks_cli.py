"""``checkout-gateway webhooks register`` / ``list`` as processes against the sandbox's
``/v3/hooks``: created once, then updated in place (a new destination, a deactivated hook),
one hook per scope however often it runs, other hooks of the account left alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio

from gateway.sandbox import SandboxServer
from tests.live_status.served import WEBHOOK_SECRET, cli, gateway_env

FIRST = "http://127.0.0.1:9/webhooks/bigcommerce"
MOVED = "http://127.0.0.1:9/moved/webhooks/bigcommerce"
SCOPES = {"store/order/statusUpdated", "store/order/created"}


@pytest_asyncio.fixture(loop_scope="session")
async def hooks_api(sandbox: SandboxServer) -> AsyncIterator[HooksApi]:
    async with aiohttp.ClientSession() as http:
        yield HooksApi(http, sandbox)
    sandbox.reset()  # no hook of this test outlives it


class HooksApi:
    """The sandbox's ``/v3/hooks``, called as the API account the CLI uses."""

    def __init__(self, http: aiohttp.ClientSession, sandbox: SandboxServer) -> None:
        self.http = http
        self.base = f"{sandbox.api_url}/stores/{sandbox.store_hash}/v3/hooks"
        self.headers = {"X-Auth-Token": sandbox.token, "Accept": "application/json"}

    async def call(self, method: str, path: str = "", body: Any = None) -> Any:
        url = self.base + path
        async with self.http.request(method, url, json=body, headers=self.headers) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["data"]


def actions(out: str) -> list[str]:
    return sorted(line.split(" ", 1)[0] for line in out.strip().splitlines())


async def test_register_creates_then_updates_in_place_and_leaves_other_hooks(
    sandbox: SandboxServer, hooks_api: HooksApi
) -> None:
    env = gateway_env(sandbox)
    others = await hooks_api.call(
        "POST",
        body={"scope": "store/order/statusUpdated", "destination": "https://crm.example/hook",
              "headers": {"X-Crm": "crm-key"}},
    )  # fmt: skip
    assert actions(await cli(env, "webhooks", "register", "--destination", FIRST)) == [
        "created",
        "created",
    ]
    created = {h["id"]: h for h in await hooks_api.call("GET") if h["id"] != others["id"]}
    assert {h["scope"] for h in created.values()} == SCOPES
    assert all(h["headers"] == {"X-Webhook-Secret": WEBHOOK_SECRET} for h in created.values())

    # A new destination moves our two hooks; nothing new is created.
    assert actions(await cli(env, "webhooks", "register", "--destination", MOVED)) == [
        "updated",
        "updated",
    ]
    # BigCommerce deactivates a hook whose destination keeps failing: the next run revives it.
    some_id = next(iter(created))
    await hooks_api.call("PUT", f"/{some_id}", {"is_active": False})
    out = await cli(env, "webhooks", "register", "--destination", MOVED)
    assert actions(out) == ["unchanged", "updated"]
    assert f"updated hook {some_id} " in out

    hooks = {h["id"]: h for h in await hooks_api.call("GET")}
    assert set(hooks) == {others["id"], *created}  # one per scope, the ids kept
    assert hooks.pop(others["id"]) == others  # not ours: untouched
    assert all(h["destination"] == MOVED and h["is_active"] for h in hooks.values())

    listed = await cli(env, "webhooks", "list")
    lines = sorted(listed.strip().splitlines())
    assert len(lines) == 3 and sum(MOVED in line for line in lines) == 2, listed
    assert "headers=X-Webhook-Secret" in listed and "headers=X-Crm" in listed
    assert WEBHOOK_SECRET not in listed and "crm-key" not in listed  # names, never values
