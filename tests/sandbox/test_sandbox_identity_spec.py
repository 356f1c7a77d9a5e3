"""The customers, hooks, order status, store information and scope answers, each checked
against the official files (as test_sandbox_spec.py does for the checkout flow).

``Client.call`` validates every request body against the operation's request schema and
every response against the schema the file gives that status (or the API family's error
format). The one patch: ``KEYWORD_QUIRKS`` lets Get Webhooks list no hooks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from gateway.sandbox import SandboxServer
from tests.openapi.validate import KEYWORD_QUIRKS, validate_response
from tests.sandbox.sandbox_client import Client, Reply

Case = Callable[[Client], Awaitable[Reply]]
MISSING = "00000000-0000-0000-0000-000000000000"
HOOK = {"scope": "store/order/statusUpdated", "destination": "https://hooks.example/bc"}


async def validate_ok(c: Client) -> Reply:
    body = {"email": "jane@example.com", "password": "sandbox-password", "channel_id": 1}
    return await c.call("POST", "/v3/customers/validate-credentials", body)


async def validate_wrong_password(c: Client) -> Reply:
    body = {"email": "jane@example.com", "password": "not-it", "channel_id": 1}
    return await c.call("POST", "/v3/customers/validate-credentials", body)


async def validate_missing_password(c: Client) -> Reply:
    body = {"email": "jane@example.com"}
    return await c.call("POST", "/v3/customers/validate-credentials", body, validate_body=False)


async def customers_ok(c: Client) -> Reply:
    return await c.call("GET", "/v3/customers?id:in=1,2&include=addresses,storecredit")


async def customers_bad_filter(c: Client) -> Reply:
    return await c.call("GET", "/v3/customers?id:in=one")


async def instruments_ok(c: Client) -> Reply:
    return await c.call("GET", "/v3/customers/1/stored-instruments")


async def instruments_unknown_customer(c: Client) -> Reply:
    return await c.call("GET", "/v3/customers/999/stored-instruments")


async def update_cart_ok(c: Client) -> Reply:
    cart = await c.create_cart(customer_id=0)
    return await c.call("PUT", f"/v3/carts/{cart['id']}", {"customer_id": 1, "version": 1})


async def update_cart_stale(c: Client) -> Reply:
    cart = await c.create_cart(customer_id=0)
    return await c.call("PUT", f"/v3/carts/{cart['id']}", {"customer_id": 1, "version": 7})


async def update_cart_unknown(c: Client) -> Reply:
    return await c.call("PUT", f"/v3/carts/{MISSING}", {"customer_id": 1})


async def hook_create_ok(c: Client) -> Reply:
    return await c.call("POST", "/v3/hooks", {**HOOK, "headers": {"X-Secret": "s3"}})


async def hook_create_missing_destination(c: Client) -> Reply:
    return await c.call("POST", "/v3/hooks", {"scope": "store/order/created"}, validate_body=False)


async def hook_list_ok(c: Client) -> Reply:
    await c.call("POST", "/v3/hooks", HOOK)
    return await c.call("GET", "/v3/hooks?is_active=true&scope=store/order/statusUpdated")


async def hook_list_empty(c: Client) -> Reply:
    return await c.call("GET", "/v3/hooks")  # KEYWORD_QUIRKS: no minItems


async def hook_get_ok(c: Client) -> Reply:
    hook_id = (await c.call("POST", "/v3/hooks", HOOK)).data["id"]
    return await c.call("GET", f"/v3/hooks/{hook_id}")


async def hook_get_unknown(c: Client) -> Reply:
    return await c.call("GET", "/v3/hooks/1")


async def hook_update_ok(c: Client) -> Reply:
    hook_id = (await c.call("POST", "/v3/hooks", HOOK)).data["id"]
    return await c.call("PUT", f"/v3/hooks/{hook_id}", {"is_active": False, "headers": None})


async def hook_update_unknown(c: Client) -> Reply:
    return await c.call("PUT", "/v3/hooks/1", {"is_active": False})


async def hook_delete_ok(c: Client) -> Reply:
    hook_id = (await c.call("POST", "/v3/hooks", HOOK)).data["id"]
    return await c.call("DELETE", f"/v3/hooks/{hook_id}")


async def hook_delete_unknown(c: Client) -> Reply:
    return await c.call("DELETE", "/v3/hooks/1")


async def order_update_ok(c: Client) -> Reply:
    return await c.call("PUT", f"/v2/orders/{await c.order()}", {"status_id": 2})


async def order_update_bad_status(c: Client) -> Reply:
    return await c.call("PUT", f"/v2/orders/{await c.order()}", {"status_id": 99})


async def order_update_unknown(c: Client) -> Reply:
    return await c.call("PUT", "/v2/orders/999999", {"status_id": 2})


async def store_ok(c: Client) -> Reply:
    return await c.call("GET", "/v2/store")


async def store_forbidden(c: Client) -> Reply:
    c.sandbox.grant("no-info-token", ["store_cart"])
    return await c.call("GET", "/v2/store", headers={"X-Auth-Token": "no-info-token"})


async def time_ok(c: Client) -> Reply:
    return await c.call("GET", "/v2/time")


async def instruments_forbidden(c: Client) -> Reply:
    c.sandbox.grant("customers-only", ["store_v2_customers"])
    return await c.call(
        "GET", "/v3/customers/1/stored-instruments", headers={"X-Auth-Token": "customers-only"}
    )


async def methods_forbidden(c: Client) -> Reply:
    c.sandbox.grant("cart-only", ["store_cart"])
    return await c.call(
        "GET", "/v3/payments/methods?order_id=100", headers={"X-Auth-Token": "cart-only"}
    )


CASES: list[tuple[Case, int]] = [
    (validate_ok, 200),
    (validate_wrong_password, 200),
    (validate_missing_password, 422),
    (customers_ok, 200),
    (customers_bad_filter, 422),
    (instruments_ok, 200),
    (instruments_unknown_customer, 404),
    (instruments_forbidden, 403),
    (update_cart_ok, 201),
    (update_cart_stale, 409),
    (update_cart_unknown, 404),
    (hook_create_ok, 200),
    (hook_create_missing_destination, 422),
    (hook_list_ok, 200),
    (hook_list_empty, 200),
    (hook_get_ok, 200),
    (hook_get_unknown, 404),
    (hook_update_ok, 200),
    (hook_update_unknown, 404),
    (hook_delete_ok, 200),
    (hook_delete_unknown, 404),
    (order_update_ok, 200),
    (order_update_bad_status, 400),
    (order_update_unknown, 404),
    (store_ok, 200),
    (store_forbidden, 403),
    (time_ok, 200),
    (methods_forbidden, 403),
]


@pytest.mark.parametrize(("case", "status"), CASES, ids=[c.__name__ for c, _ in CASES])
async def test_operation_matches_official_schema(
    client: Client, sandbox: SandboxServer, case: Case, status: int
) -> None:
    reply = await case(client)  # validates request and response bodies on the way
    assert reply.status == status, reply.text
    assert reply.operation is not None
    validate_response(reply.operation, reply.status, reply.json())


def test_every_new_operation_is_covered() -> None:
    names = " ".join(c.__name__ for c, _ in CASES)
    for prefix in ("validate", "customers", "instruments", "update_cart", "hook_create",
                   "hook_list", "hook_get", "hook_update", "hook_delete", "order_update",
                   "store"):  # fmt: skip
        assert f"{prefix}_ok" in names
        assert any(n.startswith(prefix) and not n.endswith("_ok") for n in names.split())


def test_empty_hook_list_quirk_is_named() -> None:
    assert any(file == "webhooks.v3.yml" and kw == "minItems" for file, _, kw, _ in KEYWORD_QUIRKS)
