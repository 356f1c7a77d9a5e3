"""The baseline: how one would write this gateway straight from the Strawberry docs.

Strawberry defaults (``strawberry.Schema`` with no parser or validation cache,
``strawberry.asgi.GraphQL`` mounted on Starlette), one resolver per query that
calls BigCommerce with one shared aiohttp ``ClientSession``, no caches. It answers
the two documents the benchmark sends (``PaymentMethods`` and ``Checkout``);
``paymentMethods`` takes the bare BigCommerce order number as ``orderId``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import aiohttp
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.types import Info


@strawberry.type
class Money:
    amount: Decimal
    currency_code: str


@strawberry.type
class SupportedInstrument:
    instrument_type: str
    verification_value_required: bool


@strawberry.interface
class StoredInstrument:
    token: str
    is_default: bool


@strawberry.type
class StoredCard(StoredInstrument):
    brand: str | None
    last4: str | None
    expiry_month: int | None
    expiry_year: int | None
    issuer_identification_number: str | None


@strawberry.type
class StoredPayPalAccount(StoredInstrument):
    email: str | None


@strawberry.type
class PaymentMethod:
    id: strawberry.ID
    name: str
    type: str
    test_mode: bool
    supported_instruments: list[SupportedInstrument]
    stored_instruments: list[StoredInstrument]


@strawberry.type
class Address:
    id: strawberry.ID | None
    first_name: str | None
    last_name: str | None
    email: str | None
    company: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state_or_province: str | None
    state_or_province_code: str | None
    country_code: str | None
    postal_code: str | None
    phone: str | None


@strawberry.type
class LineItem:
    id: strawberry.ID
    product_id: int
    variant_id: int | None
    name: str
    quantity: int
    list_price: Money


@strawberry.type
class Cart:
    id: strawberry.ID
    currency_code: str
    line_items: list[LineItem]


@strawberry.type
class ShippingOption:
    id: strawberry.ID
    description: str
    type: str | None
    transit_time: str | None
    cost: Money


@strawberry.type
class Consignment:
    id: strawberry.ID
    address: Address | None
    line_item_ids: list[strawberry.ID]
    available_shipping_options: list[ShippingOption]
    selected_shipping_option: ShippingOption | None


@strawberry.type
class Checkout:
    id: strawberry.ID
    version: int | None
    order_id: strawberry.ID | None
    billing_address: Address | None
    cart: Cart
    consignments: list[Consignment]
    subtotal: Money
    shipping_cost_total: Money
    tax_total: Money
    grand_total: Money


# --- mapping BigCommerce JSON to the types above --------------------------------------------


def _money(value: Any, currency: str) -> Money:
    return Money(amount=Decimal(str(value if value is not None else 0)), currency_code=currency)


def _address(d: dict[str, Any] | None) -> Address | None:
    if not d:
        return None
    return Address(
        id=d.get("id"),
        first_name=d.get("first_name"),
        last_name=d.get("last_name"),
        email=d.get("email"),
        company=d.get("company"),
        address1=d.get("address1"),
        address2=d.get("address2"),
        city=d.get("city"),
        state_or_province=d.get("state_or_province"),
        state_or_province_code=d.get("state_or_province_code"),
        country_code=d.get("country_code"),
        postal_code=d.get("postal_code"),
        phone=d.get("phone"),
    )


def _option(d: dict[str, Any], currency: str) -> ShippingOption:
    return ShippingOption(
        id=d["id"],
        description=d.get("description", ""),
        type=d.get("type"),
        transit_time=d.get("transit_time"),
        cost=_money(d.get("cost"), currency),
    )


def _checkout(d: dict[str, Any]) -> Checkout:
    cart = d["cart"]
    currency = cart.get("currency", {}).get("code", "USD")
    items = cart.get("line_items", {})
    line_items = [
        LineItem(
            id=i["id"],
            product_id=i["product_id"],
            variant_id=i.get("variant_id"),
            name=i.get("name", ""),
            quantity=i["quantity"],
            list_price=_money(i.get("list_price"), currency),
        )
        for kind in ("physical_items", "digital_items")
        for i in items.get(kind, [])
    ]
    consignments = [
        Consignment(
            id=c["id"],
            address=_address(c.get("address") or c.get("shipping_address")),
            line_item_ids=c.get("line_item_ids", []),
            available_shipping_options=[
                _option(o, currency) for o in c.get("available_shipping_options") or []
            ],
            selected_shipping_option=(
                _option(c["selected_shipping_option"], currency)
                if c.get("selected_shipping_option")
                else None
            ),
        )
        for c in d.get("consignments", [])
    ]
    return Checkout(
        id=d["id"],
        version=d.get("version"),
        order_id=d.get("order_id"),
        billing_address=_address(d.get("billing_address")),
        cart=Cart(id=cart["id"], currency_code=currency, line_items=line_items),
        consignments=consignments,
        subtotal=_money(d.get("subtotal_ex_tax"), currency),
        shipping_cost_total=_money(d.get("shipping_cost_total_inc_tax"), currency),
        tax_total=_money(d.get("tax_total"), currency),
        grand_total=_money(d.get("grand_total"), currency),
    )


def _stored(d: dict[str, Any]) -> StoredInstrument:
    if d.get("type") == "stored_paypal_account":
        return StoredPayPalAccount(
            token=d["token"], is_default=bool(d.get("is_default")), email=d.get("email")
        )
    return StoredCard(
        token=d["token"],
        is_default=bool(d.get("is_default")),
        brand=d.get("brand"),
        last4=d.get("last_4"),
        expiry_month=d.get("expiry_month"),
        expiry_year=d.get("expiry_year"),
        issuer_identification_number=d.get("issuer_identification_number"),
    )


def _payment_method(d: dict[str, Any]) -> PaymentMethod:
    return PaymentMethod(
        id=d["id"],
        name=d["name"],
        type=d["type"],
        test_mode=bool(d.get("test_mode")),
        supported_instruments=[
            SupportedInstrument(
                instrument_type=s["instrument_type"],
                verification_value_required=bool(s.get("verification_value_required")),
            )
            for s in d.get("supported_instruments", [])
        ],
        stored_instruments=[_stored(s) for s in d.get("stored_instruments") or []],
    )


# --- resolvers ------------------------------------------------------------------------------


class Upstream:
    """The BigCommerce API of one store, with the access token."""

    def __init__(self, session: aiohttp.ClientSession, api_url: str, store_hash: str) -> None:
        self.session = session
        self.v3 = f"{api_url.rstrip('/')}/stores/{store_hash}/v3"

    async def get(self, path: str) -> Any:
        async with self.session.get(self.v3 + path) as resp:
            if resp.status != 200:
                raise RuntimeError(f"BigCommerce answered {resp.status} for GET {path}")
            body = await resp.json()
        return body["data"]


def _upstream(info: Info) -> Upstream:
    upstream: Upstream = info.context["request"].app.state.upstream
    return upstream


@strawberry.type
class Query:
    @strawberry.field
    async def payment_methods(self, info: Info, order_id: strawberry.ID) -> list[PaymentMethod]:
        data = await _upstream(info).get(f"/payments/methods?order_id={int(order_id)}")
        return [_payment_method(m) for m in data]

    @strawberry.field
    async def checkout(self, info: Info, id: strawberry.ID) -> Checkout:
        include = "consignments.available_shipping_options"
        data = await _upstream(info).get(f"/checkouts/{id}?include={include}")
        return _checkout(data)


schema = strawberry.Schema(query=Query, types=[StoredCard, StoredPayPalAccount])


def create_app() -> Starlette:
    """The Starlette app: ``/graphql`` and a ``/readyz`` probe, configured from the environment."""
    api_url = os.environ.get("BIGCOMMERCE_API_URL", "http://127.0.0.1:8100")
    store_hash = os.environ.get("BIGCOMMERCE_STORE_HASH", "sandbox")
    token = os.environ.get("BIGCOMMERCE_ACCESS_TOKEN", "sandbox-token")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        headers = {"X-Auth-Token": token, "Accept": "application/json"}
        async with aiohttp.ClientSession(headers=headers) as session:
            app.state.upstream = Upstream(session, api_url, store_hash)
            yield

    async def readyz(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/readyz", readyz), Route("/graphql", GraphQL(schema))],
        lifespan=lifespan,
    )
