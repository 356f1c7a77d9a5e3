"""OAuth scopes per token: a call outside the token's scopes gets 403 as BigCommerce answers
it, in the API family's error format; the default token keeps every scope."""

from __future__ import annotations

import asyncio
import os
import re
import sys

import aiohttp
import pytest

from gateway.sandbox import SandboxServer
from gateway.sandbox.scopes import FORBIDDEN_TITLE, parse_tokens, required_scopes
from gateway.sandbox.server import options_from_env
from tests.sandbox.sandbox_client import ADDRESS, Client, card

CART_ONLY = "cart-only-token"


def as_token(token: str) -> dict[str, str]:
    return {"X-Auth-Token": token}


async def test_token_without_a_scope_gets_403_in_each_family(
    client: Client, sandbox: SandboxServer
) -> None:
    order_id = await client.order()
    sandbox.grant(CART_ONLY, ["store_cart"])
    cart_only = as_token(CART_ONLY)
    body = {"line_items": [{"product_id": 111, "quantity": 1}]}
    made = await client.call("POST", "/v3/carts", body, headers=cart_only)
    assert made.status == 201  # inside its scope

    checkout = await client.call("GET", f"/v3/checkouts/{made.data['id']}", headers=cart_only)
    assert checkout.status == 403
    assert checkout.json()["title"] == FORBIDDEN_TITLE and checkout.json()["status"] == 403
    order = await client.call("GET", f"/v2/orders/{order_id}", headers=cart_only)
    assert order.status == 403 and order.json()[0]["status"] == 403
    methods = await client.call(
        "GET", f"/v3/payments/methods?order_id={order_id}", headers=cart_only
    )
    assert methods.status == 403 and methods.json()["title"] == FORBIDDEN_TITLE
    pat = await client.call(
        "POST", "/v3/payments/access_tokens", {"order": {"id": order_id}}, headers=cart_only
    )
    assert pat.status == 403
    sign_in = {"email": "jane@example.com", "password": "sandbox-password"}
    refused = await client.call(
        "POST", "/v3/customers/validate-credentials", sign_in, headers=cart_only
    )
    assert refused.status == 403
    hooks = await client.call("GET", "/v3/hooks", headers=cart_only)
    assert hooks.status == 200  # webhooks need only the default scope
    # A refused call changes nothing.
    assert sandbox.state.orders[order_id].status_id == 0


async def test_read_only_scopes_allow_reads_only(client: Client, sandbox: SandboxServer) -> None:
    order_id = await client.order()
    cid = (await client.create_cart())["id"]
    sandbox.grant("reader", ["store_checkout_read_only", "store_v2_orders_read_only"])
    reader = as_token("reader")
    assert (await client.call("GET", f"/v3/checkouts/{cid}", headers=reader)).status == 200
    write = await client.call(
        "POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS, headers=reader
    )
    assert write.status == 403
    assert (await client.call("GET", f"/v2/orders/{order_id}", headers=reader)).status == 200
    put = await client.call("PUT", f"/v2/orders/{order_id}", {"status_id": 2}, headers=reader)
    assert put.status == 403
    assert sandbox.state.orders[order_id].status_id == 0


async def test_a_gateways_scopes_run_the_whole_flow(client: Client, sandbox: SandboxServer) -> None:
    sandbox.grant(
        sandbox.token,  # the main token itself, restricted; reset() gives it every scope back
        [
            "store_cart",
            "store_checkouts",  # checkouts.v3.yml's spelling is accepted too
            "store_v2_orders",
            "store_v2_transactions_read_only",
            "store_payments_methods_read",
            "store_payments_access_token_create",
            "store_v2_customers",
            "store_stored_payment_instruments_read_only",
            "store_v2_information_read_only",
        ],
    )
    order_id = await client.order(customer_id=1)
    assert (await client.call("GET", f"/v3/payments/methods?order_id={order_id}")).status == 200
    assert (await client.pay(order_id, card())).status == 201
    assert (await client.call("GET", f"/v3/orders/{order_id}/transactions")).status == 200
    assert (await client.call("GET", "/v3/customers/1/stored-instruments")).status == 200
    assert (await client.call("GET", "/v2/store")).status == 200
    sandbox.grant(sandbox.token, ["store_cart"])
    assert (await client.call("GET", "/v2/store")).status == 403
    sandbox.reset()
    assert (await client.call("GET", "/v2/store")).status == 200


async def test_unknown_token_is_still_401(client: Client, sandbox: SandboxServer) -> None:
    sandbox.grant(CART_ONLY, ["store_cart"])
    sandbox.revoke(CART_ONLY)
    reply = await client.call("GET", "/v3/hooks", headers=as_token(CART_ONLY))
    assert reply.status == 401


def test_scope_map_names_bigcommerce_scopes() -> None:
    assert required_scopes("GET", "/v2/store") == frozenset(
        {"store_v2_information", "store_v2_information_read_only"}
    )
    assert required_scopes("POST", "/v3/payments/access_tokens") == frozenset(
        {"store_payments_access_token_create"}
    )
    assert required_scopes("POST", "/v3/payments/methods") == frozenset()
    assert required_scopes("PUT", "/v3/carts/abc") == frozenset({"store_cart"})
    assert required_scopes("GET", "/v3/hooks") is None


def test_environment_options() -> None:
    options = options_from_env(
        {
            "SANDBOX_SCOPES": "store_cart, store_checkout",
            "SANDBOX_TOKENS": "ops=*;reader=store_v2_orders_read_only",
            "SANDBOX_WEBHOOK_RETRY_DELAYS": "0.1,0.5",
        }
    )
    assert options == {
        "scopes": frozenset({"store_cart", "store_checkout"}),
        "tokens": {"ops": None, "reader": frozenset({"store_v2_orders_read_only"})},
        "webhook_retry_delays": (0.1, 0.5),
    }
    assert options_from_env({}) == {}
    with pytest.raises(ValueError, match="TOKEN="):
        parse_tokens("no-equals-sign")
    with pytest.raises(ValueError, match="seconds"):
        options_from_env({"SANDBOX_WEBHOOK_RETRY_DELAYS": "soon"})


async def test_cli_sandbox_takes_scopes_from_the_environment() -> None:
    env = {
        **os.environ,
        "SANDBOX_SCOPES": "store_cart",
        "SANDBOX_TOKENS": "full-token=*",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway",
        "sandbox",
        "--port",
        "0",
        "--payments-port",
        "0",
        "--token",
        "restricted",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        banner = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert "scopes:" in banner
        match = re.search(r"(http://127\.0\.0\.1:\d+)/stores/sandbox/v3", banner)
        assert match is not None, banner
        url = f"{match.group(1)}/stores/sandbox/v2/store"
        async with aiohttp.ClientSession() as http:
            for token, status in (("restricted", 403), ("full-token", 200), ("other", 401)):
                async with http.get(url, headers=as_token(token)) as resp:
                    assert resp.status == status, token
    finally:
        process.terminate()
        await process.wait()
