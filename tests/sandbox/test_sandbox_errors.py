"""Auth, concurrency and bad input: always the documented 4xx body, never a 500."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from gateway.sandbox import SandboxServer
from tests.sandbox.sandbox_client import ADDRESS, PAYMENTS_ACCEPT, Client, card

V3_KEYS = {"status", "title", "type"}


async def raw(client: Client, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with client.session.request(method, url, **kwargs) as resp:
        text = await resp.text()
        assert "Traceback" not in text
        assert resp.headers.get("X-Rate-Limit-Requests-Quota")
        return resp.status, (await resp.json(content_type=None)) if text else None


@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_management_without_valid_token_is_401(client: Client, token: str | None) -> None:
    headers = {"Accept": "application/json"} | ({"X-Auth-Token": token} if token else {})
    status, body = await raw(client, "GET", f"{client.base}/v3/checkouts/x", headers=headers)
    assert status == 401 and set(body) >= V3_KEYS and body["status"] == 401
    status, body = await raw(client, "GET", f"{client.base}/v2/orders/100", headers=headers)
    assert status == 401 and body[0]["status"] == 401 and "message" in body[0]
    status, body = await raw(client, "GET", f"{client.base}/v3/payments/methods", headers=headers)
    assert status == 401 and set(body) >= V3_KEYS


async def _pay_raw(client: Client, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    url = f"{client.sandbox.payments_url}/stores/{client.sandbox.store_hash}/payments"
    payload = body or {"payment": {"instrument": card(), "payment_method_id": "braintree.card"}}
    return await raw(client, "POST", url, json=payload, headers=headers)


async def test_payments_auth_is_pat_only(client: Client, sandbox: SandboxServer) -> None:
    order_id = await client.order()
    pat = await client.pat(order_id)
    accept = {"Accept": PAYMENTS_ACCEPT}
    for headers in (
        {},
        {"Authorization": f"Bearer {pat}"},
        {"Authorization": f"PAT  {pat}"},  # two spaces
        {"X-Auth-Token": sandbox.token},
        {"Authorization": f"PAT {pat}", "X-Auth-Token": sandbox.token},
    ):
        status, body = await _pay_raw(client, accept | headers)
        assert status == 401, headers
        assert set(body) >= V3_KEYS
    assert sandbox.state.orders[order_id].status_id == 0
    # The token was never accepted above, so it still works once...
    status, _ = await _pay_raw(client, accept | {"Authorization": f"PAT {pat}"})
    assert status == 201
    # ...and only once.
    status, body = await _pay_raw(client, accept | {"Authorization": f"PAT {pat}"})
    assert status == 401 and body["status"] == 401


@pytest.mark.parametrize("accept", [None, "application/json"])
async def test_payments_need_the_vendor_accept_header(client: Client, accept: str | None) -> None:
    pat = await client.pat(await client.order())
    headers = {"Authorization": f"PAT {pat}"} | ({"Accept": accept} if accept else {})
    status, body = await _pay_raw(client, headers)
    assert status == 406 and set(body) >= V3_KEYS


async def test_expired_pat_is_refused(client: Client, sandbox: SandboxServer) -> None:
    from datetime import timedelta

    pat = await client.pat(await client.order())
    sandbox.state.access_tokens[pat].expires_at -= timedelta(hours=2)
    reply = await client.pay(0, card(), token=pat)
    assert reply.status == 401


async def test_pat_only_for_incomplete_orders(client: Client) -> None:
    order_id = await client.order()
    second_pat = await client.pat(order_id)
    assert (await client.pay(order_id, card())).status == 201
    reply = await client.call("POST", "/v3/payments/access_tokens", {"order": {"id": order_id}})
    assert reply.status == 422 and reply.json()["code"] == 30101
    # A PAT minted before the order was paid cannot pay it twice.
    reply = await client.pay(order_id, card(), token=second_pat)
    assert reply.status == 422 and reply.json()["code"] == 30101


@pytest.mark.parametrize(
    ("number", "cvv", "month", "year", "code"),
    [
        ("4000000000000002", "123", 12, 2030, 30104),
        ("4000000000009995", "123", 12, 2030, 30106),
        ("4000000000000069", "123", 12, 2030, 30103),
        ("4111111111111112", "123", 12, 2030, 30102),  # Luhn-invalid
        ("4111111111111111", "123", 1, 2020, 30103),  # expiry in the past
        ("378282246310005", "123", 12, 2030, 30102),  # Amex takes a 4-digit CVV
    ],
)
async def test_card_declines(
    client: Client, sandbox: SandboxServer, number: str, cvv: str, month: int, year: int, code: int
) -> None:
    order_id = await client.order()
    reply = await client.pay(order_id, card(number, cvv, month, year))
    assert reply.status == 422
    body = reply.json()
    assert body["code"] == code and set(body) >= V3_KEYS
    assert number not in reply.text and f'"{cvv}"' not in reply.text
    assert sandbox.state.orders[order_id].status_id == 0


async def test_stored_instrument_of_another_customer_is_30051(client: Client) -> None:
    owner = await client.order(customer_id=1)
    methods = (await client.call("GET", f"/v3/payments/methods?order_id={owner}")).data
    token = methods[0]["stored_instruments"][0]["token"]
    for customer_id in (2, 0):
        order_id = await client.order(customer_id=customer_id)
        instrument = {"type": "stored_card", "token": token, "verification_value": "123"}
        reply = await client.pay(order_id, instrument)
        assert reply.status == 422 and reply.json()["code"] == 30051


async def test_stale_version_is_409_and_version_increments(client: Client) -> None:
    cid, checkout = await client.ready_checkout()
    version = checkout["version"]
    reply = await client.call(
        "POST", f"/v3/checkouts/{cid}/billing-address", {**ADDRESS, "version": version}
    )
    assert reply.status == 200 and reply.data["version"] == version + 1
    stale = await client.call(
        "POST", f"/v3/checkouts/{cid}/billing-address", {**ADDRESS, "version": version}
    )
    assert stale.status == 409
    assert stale.json() == {
        "status": 409,
        "title": "The request cannot be processed due to a possible conflict. "
        "Please review the changes and try again.",
        "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
    }


async def test_address_change_drops_selected_option(client: Client) -> None:
    cid, checkout = await client.ready_checkout()
    con = checkout["consignments"][0]
    assert "selected_shipping_option" in con
    reply = await client.call(
        "PUT",
        f"/v3/checkouts/{cid}/consignments/{con['id']}",
        {"address": {**ADDRESS, "city": "Dallas"}},
    )
    assert "selected_shipping_option" not in reply.data["consignments"][0]
    order = await client.call("POST", f"/v3/checkouts/{cid}/orders")
    assert order.status == 422


async def test_shipping_option_must_be_set_alone(client: Client) -> None:
    cid, checkout = await client.ready_checkout()
    con = checkout["consignments"][0]
    body = {"address": ADDRESS, "shipping_option_id": con["selected_shipping_option"]["id"]}
    reply = await client.call("PUT", f"/v3/checkouts/{cid}/consignments/{con['id']}", body)
    assert reply.status == 422 and "shipping_option_id" in reply.json()["errors"]


async def test_order_needs_billing_and_complete_address(client: Client) -> None:
    cart = await client.create_cart()
    reply = await client.call("POST", f"/v3/checkouts/{cart['id']}/orders")
    assert reply.status == 422 and "billing" in reply.json()["title"].lower()
    item = cart["line_items"]["physical_items"][0]
    await client.call("POST", f"/v3/checkouts/{cart['id']}/billing-address", ADDRESS)
    partial = {"email": "jane@example.com", "country_code": "US"}
    con = await client.call(
        "POST",
        f"/v3/checkouts/{cart['id']}/consignments?include=consignments.available_shipping_options",
        [{"address": partial, "line_items": [{"item_id": item["id"], "quantity": 2}]}],
        validate_body=False,  # the schema wants state_or_province/postal_code; BC does not
    )
    c = con.data["consignments"][0]
    option = c["available_shipping_options"][0]["id"]
    await client.call(
        "PUT", f"/v3/checkouts/{cart['id']}/consignments/{c['id']}", {"shipping_option_id": option}
    )
    reply = await client.call("POST", f"/v3/checkouts/{cart['id']}/orders")
    assert reply.status == 422
    assert reply.json()["title"] == "A shipping address for this order is incomplete."


BAD_BODIES: list[tuple[str, str, bytes]] = [
    ("POST", "/v3/carts", b"{not json"),
    ("POST", "/v3/carts", b'{"line_items": "many"}'),
    ("POST", "/v3/carts", b'{"line_items": [{"product_id": "111", "quantity": 1}]}'),
    ("POST", "/v3/carts", b'{"line_items": [{"product_id": 111, "quantity": true}]}'),
    ("POST", "/v3/carts", b'{"line_items": [{"product_id": 111}]}'),
    ("POST", "/v3/carts", b"{}"),
    ("POST", "/v3/carts", b"[]"),
    (
        "POST",
        "/v3/carts",
        b'{"customer_id": 42, "line_items": [{"product_id": 111, "quantity": 1}]}',
    ),
    ("POST", "/v3/checkouts/{cid}/billing-address", b'{"country_code": "US"}'),
    ("POST", "/v3/checkouts/{cid}/billing-address", b'{"email": 5, "country_code": "US"}'),
    ("POST", "/v3/checkouts/{cid}/billing-address", b"null"),
    ("POST", "/v3/checkouts/{cid}/consignments", b'{"address": {}}'),
    (
        "POST",
        "/v3/checkouts/{cid}/consignments",
        b'[{"address": {"email": "a@b.c", "country_code": "US"}}]',
    ),
    ("POST", "/v3/checkouts/{cid}/consignments", b"[1]"),
    ("POST", "/v3/payments/access_tokens", b"{}"),
    ("POST", "/v3/payments/access_tokens", b'{"order": {"id": "100"}}'),
    ("POST", "/v3/payments/access_tokens", b"]"),
    ("GET", "/v3/payments/methods?order_id=abc", b""),
    ("GET", "/v3/checkouts/{cid}/nothing-here", b""),
    ("PATCH", "/v3/carts", b"{}"),
]


@pytest.mark.parametrize(("method", "path", "body"), BAD_BODIES)
async def test_bad_input_gets_documented_4xx(
    client: Client, method: str, path: str, body: bytes
) -> None:
    cid = (await client.create_cart())["id"]
    headers = {"X-Auth-Token": client.sandbox.token, "Content-Type": "application/json"}
    url = client.base + path.format(cid=cid)
    status, payload = await raw(client, method, url, data=body or None, headers=headers)
    assert 400 <= status < 500
    assert set(payload) >= V3_KEYS and payload["status"] == status


async def test_bad_payment_bodies_get_payments_errors(client: Client) -> None:
    for body in (
        b"{oops",
        b"{}",
        b'{"payment": {"instrument": {"type": "card"}}}',
        b'{"payment": 3}',
    ):
        pat = await client.pat(await client.order())
        url = f"{client.sandbox.payments_url}/stores/{client.sandbox.store_hash}/payments"
        headers = {
            "Authorization": f"PAT {pat}",
            "Accept": PAYMENTS_ACCEPT,
            "Content-Type": "application/json",
        }
        status, payload = await raw(client, "POST", url, data=body, headers=headers)
        assert status in (400, 422), body
        assert set(payload) >= V3_KEYS and payload["code"] == 10001


async def test_unknown_v2_order_is_bare_array(client: Client) -> None:
    status, body = await raw(
        client,
        "GET",
        f"{client.base}/v2/orders/abc",
        headers={"X-Auth-Token": client.sandbox.token},
    )
    assert status == 404
    assert body == [{"status": 404, "message": "The requested resource was not found."}]


async def test_session_is_plain_http(client: Client) -> None:
    assert isinstance(client.session, aiohttp.ClientSession)
    assert client.sandbox.api_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"country_code": "JP"}, "country_code"),
        ({"state_or_province": "Narnia", "state_or_province_code": ""}, "state_or_province"),
    ],
)
async def test_billing_address_errors_name_the_body_fields(
    client: Client, change: dict[str, str], key: str
) -> None:
    # The billing-address body is the address itself: the 422 keys name its own fields
    # (as BigCommerce's `errors` object does, 4_errors.md), not a wrapper the body lacks.
    cart = await client.create_cart()
    url = f"/v3/checkouts/{cart['id']}/billing-address"
    reply = await client.call("POST", url, {**ADDRESS, **change})
    assert reply.status == 422 and list(reply.json()["errors"]) == [key]
    first = await client.call("POST", url, ADDRESS)
    address_id = first.data["billing_address"]["id"]
    again = await client.call("PUT", f"{url}/{address_id}", {**ADDRESS, **change})
    assert again.status == 422 and list(again.json()["errors"]) == [key]
