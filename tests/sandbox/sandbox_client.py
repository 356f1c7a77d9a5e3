"""HTTP client for the sandbox tests: checks every exchange against the OpenAPI files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from gateway.sandbox import SandboxServer
from tests.openapi.validate import operation_for, validate_request, validate_response

PAYMENTS_ACCEPT = "application/vnd.bc.v1+json"

ADDRESS: dict[str, Any] = {
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane@example.com",
    "company": "",
    "address1": "123 Main Street",
    "address2": "",
    "city": "Austin",
    "state_or_province": "Texas",
    "state_or_province_code": "TX",
    "country_code": "US",
    "postal_code": "78701",
    "phone": "+15125550100",
}


@dataclass
class Reply:
    status: int
    headers: Any
    text: str
    operation: str | None

    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def data(self) -> Any:
        return self.json()["data"]


class Client:
    """Plain HTTP to the sandbox. Unless told otherwise it validates the request body
    against the official request schema and the response against the response schema."""

    def __init__(self, session: aiohttp.ClientSession, sandbox: SandboxServer) -> None:
        self.session = session
        self.sandbox = sandbox

    @property
    def base(self) -> str:
        return f"{self.sandbox.api_url}/stores/{self.sandbox.store_hash}"

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        host: str = "api",
        validate: bool = True,
        validate_body: bool | None = None,
    ) -> Reply:
        if host == "api":
            url = self.base + path
            sent = {"X-Auth-Token": self.sandbox.token, "Accept": "application/json"}
        else:
            url = f"{self.sandbox.payments_url}/stores/{self.sandbox.store_hash}{path}"
            sent = {"Accept": PAYMENTS_ACCEPT}
        sent.update(headers or {})
        data = raw
        if raw is None and body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        op = operation_for(method, path.split("?")[0]) if validate else None
        if op is not None and (validate_body if validate_body is not None else raw is None):
            validate_request(op, body)
        async with self.session.request(method, url, data=data, headers=sent) as resp:
            text = await resp.text()
            reply = Reply(resp.status, resp.headers, text, op)
        assert reply.status < 500, f"{method} {path} -> {reply.status}: {text[:500]}"
        assert "Traceback" not in text
        if op is not None:  # a 204 has no body to check
            validate_response(op, reply.status, reply.json() if text else None)
        return reply

    # -- the flow, one call per step ------------------------------------------------------

    async def create_cart(self, customer_id: int = 0, quantity: int = 2) -> dict[str, Any]:
        body = {
            "customer_id": customer_id,
            "line_items": [{"product_id": 111, "quantity": quantity}],
            "currency": {"code": "USD"},
        }
        reply = await self.call("POST", "/v3/carts?include=redirect_urls", body)
        assert reply.status == 201, reply.text
        cart: dict[str, Any] = reply.data
        return cart

    async def ready_checkout(self, customer_id: int = 0) -> tuple[str, dict[str, Any]]:
        """A checkout with billing address, one consignment and a shipping option chosen."""
        cart = await self.create_cart(customer_id)
        cid = cart["id"]
        assert (
            await self.call("POST", f"/v3/checkouts/{cid}/billing-address", ADDRESS)
        ).status == 200
        items = [
            {"item_id": i["id"], "quantity": i["quantity"]}
            for i in cart["line_items"]["physical_items"]
        ]
        reply = await self.call(
            "POST",
            f"/v3/checkouts/{cid}/consignments?include=consignments.available_shipping_options",
            [{"address": ADDRESS, "line_items": items}],
        )
        con = reply.data["consignments"][0]
        option = con["available_shipping_options"][0]["id"]
        reply = await self.call(
            "PUT", f"/v3/checkouts/{cid}/consignments/{con['id']}", {"shipping_option_id": option}
        )
        assert reply.status == 200, reply.text
        checkout: dict[str, Any] = reply.data
        return cid, checkout

    async def order(self, customer_id: int = 0) -> int:
        cid, _ = await self.ready_checkout(customer_id)
        reply = await self.call("POST", f"/v3/checkouts/{cid}/orders")
        assert reply.status == 200, reply.text
        order_id: int = reply.data["id"]
        return order_id

    async def pat(self, order_id: int) -> str:
        reply = await self.call("POST", "/v3/payments/access_tokens", {"order": {"id": order_id}})
        assert reply.status == 201, reply.text
        token: str = reply.data["id"]
        return token

    async def pay(
        self,
        order_id: int,
        instrument: dict[str, Any],
        method_id: str = "braintree.card",
        *,
        save: bool | None = None,
        token: str | None = None,
    ) -> Reply:
        pat = token or await self.pat(order_id)
        payment: dict[str, Any] = {"instrument": instrument, "payment_method_id": method_id}
        if save is not None:
            payment["save_instrument"] = save
        return await self.call(
            "POST",
            "/payments",
            {"payment": payment},
            host="payments",
            headers={"Authorization": f"PAT {pat}"},
        )


def card(
    number: str = "4111111111111111", cvv: str = "123", month: int = 12, year: int = 2030
) -> dict[str, Any]:
    return {
        "type": "card",
        "cardholder_name": "Jane Doe",
        "number": number,
        "expiry_month": month,
        "expiry_year": year,
        "verification_value": cvv,
    }
