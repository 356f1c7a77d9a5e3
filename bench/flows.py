"""The shopper's checkout flow, step by step, through the gateway (GraphQL) or straight to REST.

Used twice: once to prepare the ids the query scenarios read (a checkout with an
address, a consignment and a shipping option, and an unpaid order on it), and as
scenario (c), where each connection runs whole flows in a loop.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.documents import operation_document
from bench.loadgen import percentile, run_async
from gateway.domain.identity import SHOPPER_TOKEN_HEADER

STEPS = (
    "CreateCart",
    "AddBillingAddress",
    "AddConsignment",
    "SelectShippingOption",
    "CreateOrder",
    "PaymentMethods",
    "PayWithCard",
)

ADDRESS = {
    "firstName": "Jane",
    "lastName": "Doe",
    "email": "jane@example.com",
    "address1": "123 Main Street",
    "city": "Austin",
    "stateOrProvince": "Texas",
    "stateOrProvinceCode": "TX",
    "countryCode": "US",
    "postalCode": "78701",
}
CARD = {
    "number": "4111111111111111",
    "cardholderName": "Jane Doe",
    "expiryMonth": 12,
    "expiryYear": 2030,
    "verificationValue": "123",
}


# CONTRACT §4: the sandbox's customer 1 (who has a stored Visa and PayPal account).
SIGNED_IN_EMAIL = "jane@example.com"
SANDBOX_PASSWORD = "sandbox-password"  # noqa: S105 - the sandbox's published test password


class FlowError(Exception):
    """A step answered something other than success."""


def shopper_headers(token: str | None) -> dict[str, str]:
    """The headers of a signed-in shopper's GraphQL requests (none for a guest)."""
    return {SHOPPER_TOKEN_HEADER: token} if token else {}


@dataclass
class Prepared:
    """Ids of a checkout that has been through the flow up to an unpaid order."""

    checkout_id: str
    order_id: str  # the gateway's opaque id, or the number when prepared over REST
    order_number: int


@dataclass
class Endpoints:
    """Where the flow is sent: the gateway's /graphql, or the sandbox's two REST hosts."""

    graphql_url: str = ""
    api_url: str = ""
    payments_url: str = ""
    store_hash: str = "sandbox"
    token: str = "sandbox-token"  # noqa: S105 - the sandbox store's fixed test token
    # A signed-in shopper's X-Shopper-Token, sent on every GraphQL request (None: a guest).
    shopper_token: str | None = None


# A step returns the state the next step needs; the flow records each step's latency.
Step = Callable[[aiohttp.ClientSession, dict[str, Any]], Awaitable[None]]


def _snake(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        out["".join("_" + c.lower() if c.isupper() else c for c in k)] = v
    return out


class GraphQLFlow:
    """The flow as a storefront sends it to the gateway."""

    def __init__(self, ep: Endpoints) -> None:
        self.url = ep.graphql_url
        self.headers = shopper_headers(ep.shopper_token)

    async def _op(self, s: aiohttp.ClientSession, name: str, variables: dict[str, Any]) -> Any:
        body = {"query": operation_document(name), "variables": variables, "operationName": name}
        async with s.post(self.url, json=body, headers=self.headers) as resp:
            text = await resp.text()
            if resp.status != 200:
                raise FlowError(f"{name}: HTTP {resp.status}: {text[:300]}")
        doc = json.loads(text)
        if doc.get("errors"):
            raise FlowError(f"{name}: {doc['errors']}")
        data = next(iter(doc["data"].values()))
        if isinstance(data, dict) and data.get("errors"):
            raise FlowError(f"{name}: {data['errors']}")
        return data

    async def create_cart(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        inp = {"lineItems": [{"productId": 111, "quantity": 2}], "currencyCode": "USD"}
        d = await self._op(s, "CreateCart", {"input": inp})
        st["cart_id"] = d["cart"]["id"]
        st["item_id"] = d["cart"]["lineItems"][0]["id"]

    async def add_billing_address(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        address = {**ADDRESS, "phone": "+15125550100"}
        inp = {"checkoutId": st["cart_id"], "address": address}
        await self._op(s, "AddBillingAddress", {"input": inp})

    async def add_consignment(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        inp = {
            "checkoutId": st["cart_id"],
            "address": ADDRESS,
            "lineItems": [{"itemId": st["item_id"], "quantity": 2}],
        }
        d = await self._op(s, "AddConsignment", {"input": inp})
        c = d["checkout"]["consignments"][0]
        st["consignment_id"] = c["id"]
        st["option_id"] = c["availableShippingOptions"][0]["id"]

    async def select_shipping_option(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        inp = {
            "checkoutId": st["cart_id"],
            "consignmentId": st["consignment_id"],
            "shippingOptionId": st["option_id"],
        }
        await self._op(s, "SelectShippingOption", {"input": inp})

    async def create_order(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        inp = {"checkoutId": st["cart_id"], "idempotencyKey": uuid.uuid4().hex}
        d = await self._op(s, "CreateOrder", {"input": inp})
        st["order_id"] = d["order"]["id"]
        st["order_number"] = int(d["order"]["number"])

    async def payment_methods(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        d = await self._op(s, "PaymentMethods", {"orderId": st["order_id"]})
        if not d:
            raise FlowError("PaymentMethods: none")

    async def pay_with_card(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        inp = {
            "orderId": st["order_id"],
            "paymentMethodId": "braintree.card",
            "card": CARD,
            "saveInstrument": False,
            "idempotencyKey": uuid.uuid4().hex,
        }
        d = await self._op(s, "PayWithCard", {"input": inp})
        if d["payment"] is None or d["payment"]["status"] != "SUCCESS":
            raise FlowError(f"PayWithCard: {d}")

    def steps(self) -> list[Step]:
        return [
            self.create_cart,
            self.add_billing_address,
            self.add_consignment,
            self.select_shipping_option,
            self.create_order,
            self.payment_methods,
            self.pay_with_card,
        ]


class RestFlow:
    """The same flow as plain BigCommerce REST calls: the floor the gateway adds to."""

    def __init__(self, ep: Endpoints) -> None:
        self.v3 = f"{ep.api_url}/stores/{ep.store_hash}/v3"
        self.pay_url = f"{ep.payments_url}/stores/{ep.store_hash}/payments"
        self.headers = {"X-Auth-Token": ep.token, "Accept": "application/json"}

    async def _call(
        self, s: aiohttp.ClientSession, method: str, url: str, body: Any = None, **kw: Any
    ) -> Any:
        headers = kw.pop("headers", self.headers)
        async with s.request(method, url, json=body, headers=headers) as resp:
            text = await resp.text()
            if resp.status >= 300:
                raise FlowError(f"{method} {url}: HTTP {resp.status}: {text[:300]}")
        return json.loads(text)["data"]

    async def create_cart(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        body = {"line_items": [{"product_id": 111, "quantity": 2}], "currency": {"code": "USD"}}
        d = await self._call(s, "POST", f"{self.v3}/carts?include=redirect_urls", body)
        st["cart_id"] = d["id"]
        st["item_id"] = d["line_items"]["physical_items"][0]["id"]

    async def add_billing_address(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        body = _snake({**ADDRESS, "phone": "+15125550100"})
        await self._call(s, "POST", f"{self.v3}/checkouts/{st['cart_id']}/billing-address", body)

    async def add_consignment(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        body = [
            {"address": _snake(ADDRESS), "line_items": [{"item_id": st["item_id"], "quantity": 2}]}
        ]
        url = (
            f"{self.v3}/checkouts/{st['cart_id']}/consignments"
            "?include=consignments.available_shipping_options"
        )
        d = await self._call(s, "POST", url, body)
        c = d["consignments"][0]
        st["consignment_id"] = c["id"]
        st["option_id"] = c["available_shipping_options"][0]["id"]

    async def select_shipping_option(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        url = f"{self.v3}/checkouts/{st['cart_id']}/consignments/{st['consignment_id']}"
        await self._call(s, "PUT", url, {"shipping_option_id": st["option_id"]})

    async def create_order(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        d = await self._call(s, "POST", f"{self.v3}/checkouts/{st['cart_id']}/orders")
        st["order_number"] = int(d["id"])
        st["order_id"] = str(d["id"])

    async def payment_methods(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        url = f"{self.v3}/payments/methods?order_id={st['order_number']}"
        if not await self._call(s, "GET", url):
            raise FlowError("payment methods: none")

    async def pay_with_card(self, s: aiohttp.ClientSession, st: dict[str, Any]) -> None:
        body = {"order": {"id": st["order_number"]}}
        pat = await self._call(s, "POST", f"{self.v3}/payments/access_tokens", body)
        headers = {
            "Authorization": f"PAT {pat['id']}",
            "Accept": "application/vnd.bc.v1+json",
        }
        payment = {
            "payment": {
                "instrument": {"type": "card", **_snake(CARD)},
                "payment_method_id": "braintree.card",
                "save_instrument": False,
            }
        }
        d = await self._call(s, "POST", self.pay_url, payment, headers=headers)
        if d.get("status") != "success":
            raise FlowError(f"payment: {d}")

    def steps(self) -> list[Step]:
        return [
            self.create_cart,
            self.add_billing_address,
            self.add_consignment,
            self.select_shipping_option,
            self.create_order,
            self.payment_methods,
            self.pay_with_card,
        ]


Flow = GraphQLFlow | RestFlow


def prepare(flow: Flow) -> Prepared:
    """Drive one shopper up to an unpaid order; its checkout and order are what (a)/(b) read."""

    async def go() -> Prepared:
        st: dict[str, Any] = {}
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as s:
            for step in flow.steps()[:5]:
                await step(s, st)
        return Prepared(st["cart_id"], st["order_id"], st["order_number"])

    result: Prepared = run_async(go)
    return result


def sign_in(graphql_url: str) -> str:
    """Sign customer 1 in through the gateway (the contract's SignIn); their token.

    The token is a credential: kept in memory only, never written to the results."""

    async def go() -> str:
        variables = {"input": {"email": SIGNED_IN_EMAIL, "password": SANDBOX_PASSWORD}}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as s:
            payload = await GraphQLFlow(Endpoints(graphql_url=graphql_url))._op(
                s, "SignIn", variables
            )
        return str(payload["token"])

    token: str = run_async(go)
    return token


def prepare_checkout(flow: GraphQLFlow) -> str:
    """A checkout with an address, a consignment and a shipping option (no order); its id.

    With a signed-in flow the checkout is that shopper's."""

    async def go() -> str:
        st: dict[str, Any] = {}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as s:
            for step in flow.steps()[:4]:
                await step(s, st)
        return str(st["cart_id"])

    checkout_id: str = run_async(go)
    return checkout_id


@dataclass
class FlowResult:
    """Scenario (c): whole flows per second and each step's latency."""

    concurrency: int
    duration_s: float
    flows: int
    errors: int
    flows_per_s: float
    steps: dict[str, dict[str, float]] = field(default_factory=dict)
    flow_p50_ms: float = 0.0
    flow_p99_ms: float = 0.0
    first_error: str | None = None


def run_flows(flow: Flow, concurrency: int, duration: float) -> FlowResult:
    """Each of ``concurrency`` workers runs whole flows back to back until ``duration`` is over."""

    async def go() -> FlowResult:
        per_step: dict[str, list[float]] = {name: [] for name in STEPS}
        totals: list[float] = []
        errors = 0
        first_error: str | None = None
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as s:
            start = time.perf_counter()
            deadline = start + duration

            async def worker() -> None:
                nonlocal errors, first_error
                while time.perf_counter() < deadline:
                    st: dict[str, Any] = {}
                    times: list[float] = []
                    t_flow = time.perf_counter()
                    try:
                        for step in flow.steps():
                            t0 = time.perf_counter()
                            await step(s, st)
                            times.append(time.perf_counter() - t0)
                    except (FlowError, aiohttp.ClientError, TimeoutError, KeyError) as exc:
                        errors += 1
                        first_error = first_error or repr(exc)[:500]
                        continue
                    totals.append(time.perf_counter() - t_flow)
                    for name, t in zip(STEPS, times, strict=True):
                        per_step[name].append(t)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - start
        steps = {}
        for name, values in per_step.items():
            values.sort()
            steps[name] = {
                "p50_ms": percentile(values, 50) * 1000,
                "p99_ms": percentile(values, 99) * 1000,
            }
        totals.sort()
        return FlowResult(
            concurrency=concurrency,
            duration_s=round(elapsed, 3),
            flows=len(totals),
            errors=errors,
            flows_per_s=len(totals) / elapsed if elapsed > 0 else 0.0,
            steps=steps,
            flow_p50_ms=percentile(totals, 50) * 1000,
            flow_p99_ms=percentile(totals, 99) * 1000,
            first_error=first_error,
        )

    result: FlowResult = run_async(go)
    return result
