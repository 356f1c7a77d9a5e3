"""Typed calls to BigCommerce, one method per endpoint of the checkout flow.

Management calls go to ``{api_url}/stores/{hash}/v3|v2`` with ``X-Auth-Token``;
the payment goes to ``{payments_url}/stores/{hash}/payments`` with
``Authorization: PAT <token>`` and ``Accept: application/vnd.bc.v1+json`` and
no ``X-Auth-Token``. Callers never see either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from gateway.bigcommerce import bodies, parse
from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.errors import (
    FieldPath,
    InputRule,
    MalformedAnswer,
    as_named,
    currency_refused,
    order_step_missing,
    unavailable,
)
from gateway.bigcommerce.transport import UpstreamTransport
from gateway.domain.identity import Shopper
from gateway.domain.models import (
    Address,
    Cart,
    CartLine,
    Checkout,
    ConsignmentLine,
    Order,
    Payment,
    PaymentMethod,
    RedirectUrls,
    StoredInstrument,
    Transaction,
)
from gateway.domain.ports import Instrument
from gateway.errors import ErrorCode, GatewayError
from gateway.settings import Settings

SHIPPING_OPTIONS = "consignments.available_shipping_options"
PAYMENTS_ACCEPT = "application/vnd.bc.v1+json"


class BigCommerceClient:
    """The domain's Storefront and PaymentProcessor ports, over BigCommerce's REST APIs."""

    def __init__(
        self,
        transport: UpstreamTransport,
        settings: Settings,
        sign_order: Callable[[int], str],
    ) -> None:
        self._transport = transport
        self._sign_order = sign_order
        store = quote(settings.store_hash, safe="")
        self._v3 = f"{settings.api_url}/stores/{store}/v3"
        self._v2 = f"{settings.api_url}/stores/{store}/v2"
        self._payments = f"{settings.payments_url}/stores/{store}/payments"
        self._read_headers = {"X-Auth-Token": settings.access_token, "Accept": "application/json"}
        self._write_headers = {**self._read_headers, "Content-Type": "application/json"}
        self.store_hash = settings.store_hash

    async def _json(
        self,
        call: CallClass,
        endpoint: str,
        method: str,
        url: str,
        body: Any = None,
        field_path: FieldPath = as_named,
    ) -> Any:
        headers = self._read_headers if body is None else self._write_headers
        response = await self._transport.call(
            call,
            method,
            url,
            endpoint=endpoint,
            headers=headers,
            json=body,
            field_path=field_path,
        )
        return response.data

    async def _data(
        self,
        call: CallClass,
        endpoint: str,
        method: str,
        url: str,
        body: Any = None,
        field_path: FieldPath = as_named,
    ) -> Any:
        payload = await self._json(call, endpoint, method, url, body, field_path)
        if not isinstance(payload, dict) or "data" not in payload:
            raise unavailable(call.effect(answered=False))
        return payload["data"]

    def _checkout(self, call: CallClass, data: Any) -> Checkout:
        with _answer_of(call):
            checkout = parse.checkout(data)
        if checkout.order_number is None:
            return checkout
        return replace(checkout, order_id=self._sign_order(checkout.order_number))

    # Carts and checkouts

    async def create_cart(
        self,
        lines: list[CartLine],
        customer_id: int | None,
        channel_id: int | None,
        currency_code: str | None,
    ) -> tuple[Cart, RedirectUrls | None]:
        body = bodies.cart_body(lines, customer_id, channel_id, currency_code)
        # A 400 naming no field is the currency (the only 400 carts.v3.yml describes).
        names = InputRule(_in_cart, currency_refused if currency_code is not None else None)
        url = f"{self._v3}/carts?include=redirect_urls"
        data = await self._data(CallClass.WRITE, "create_cart", "POST", url, body, names)
        with _answer_of(CallClass.WRITE):
            return parse.cart(data), parse.redirect_urls(data.get("redirect_urls"))

    async def get_checkout(self, checkout_id: str) -> Checkout:
        url = f"{self._v3}/checkouts/{_seg(checkout_id)}?include={SHIPPING_OPTIONS}"
        return self._checkout(
            CallClass.READ, await self._data(CallClass.READ, "get_checkout", "GET", url)
        )

    async def add_billing_address(
        self, checkout_id: str, address: Address, version: int | None
    ) -> Checkout:
        body = bodies.address_body(address, version)
        url = f"{self._v3}/checkouts/{_seg(checkout_id)}/billing-address"
        data = await self._data(
            CallClass.WRITE, "add_billing_address", "POST", url, body, _in_address
        )
        return self._checkout(CallClass.WRITE, data)

    async def update_billing_address(
        self, checkout_id: str, address_id: str, address: Address, version: int | None
    ) -> Checkout:
        body = bodies.address_body(address, version)
        url = f"{self._v3}/checkouts/{_seg(checkout_id)}/billing-address/{_seg(address_id)}"
        data = await self._data(
            CallClass.WRITE, "update_billing_address", "PUT", url, body, _in_address
        )
        return self._checkout(CallClass.WRITE, data)

    async def add_consignment(
        self,
        checkout_id: str,
        address: Address,
        lines: list[ConsignmentLine],
        version: int | None,
    ) -> Checkout:
        # The body is a JSON array, one element per consignment.
        body = [bodies.consignment_body(address, lines, version)]
        url = f"{self._v3}/checkouts/{_seg(checkout_id)}/consignments?include={SHIPPING_OPTIONS}"
        # A field error names the array element ("0.line_items..."); the domain sent one
        # consignment, so the index is not part of its input's path.
        data = await self._data(
            CallClass.WRITE, "add_consignments", "POST", url, body, _in_the_one_consignment
        )
        return self._checkout(CallClass.WRITE, data)

    async def update_consignment(
        self, checkout_id: str, consignment_id: str, shipping_option_id: str, version: int | None
    ) -> Checkout:
        body = bodies.shipping_option_body(shipping_option_id, version)
        url = (
            f"{self._v3}/checkouts/{_seg(checkout_id)}/consignments/{_seg(consignment_id)}"
            f"?include={SHIPPING_OPTIONS}"
        )
        data = await self._data(CallClass.WRITE, "update_consignment", "PUT", url, body)
        return self._checkout(CallClass.WRITE, data)

    async def create_order(self, checkout_id: str) -> int:
        url = f"{self._v3}/checkouts/{_seg(checkout_id)}/orders"
        names = InputRule(unnamed=order_step_missing)
        data = await self._data(CallClass.ORDER, "create_order", "POST", url, None, names)
        try:
            return int(data["id"])
        except (KeyError, TypeError, ValueError):
            raise unavailable(CallClass.ORDER.effect(answered=False)) from None

    # Orders

    async def get_order(self, number: int) -> Order:
        data = await self._json(
            CallClass.READ, "get_order", "GET", f"{self._v2}/orders/{int(number)}"
        )
        if not isinstance(data, dict):
            raise unavailable(CallClass.READ.effect(answered=False))
        currency = str(data.get("currency_code") or data.get("default_currency_code") or "USD")
        with _answer_of(CallClass.READ):
            total = parse.money(data.get("total_inc_tax"), currency)
        return Order(
            id=self._sign_order(int(data["id"])),
            number=int(data["id"]),
            status=str(data.get("status") or ""),
            status_id=int(data.get("status_id") or 0),
            payment_status=(data.get("payment_status") or None),
            total=total,
            customer_id=int(data.get("customer_id") or 0),
            cart_id=data.get("cart_id") or None,
        )

    async def get_transactions(self, number: int) -> list[Transaction]:
        url = f"{self._v3}/orders/{int(number)}/transactions"
        data = await self._data(CallClass.READ, "get_transactions", "GET", url)
        with _answer_of(CallClass.READ):
            return [parse.transaction(t) for t in data or []]

    # Payments

    async def get_payment_methods(self, order_number: int) -> list[PaymentMethod]:
        url = f"{self._v3}/payments/methods?order_id={int(order_number)}"
        data = await self._data(CallClass.READ, "get_payment_methods", "GET", url)
        with _answer_of(CallClass.READ):
            return [parse.payment_method(m) for m in data or []]

    async def order_stored_instruments(self, order_number: int) -> list[StoredInstrument]:
        """The order's customer's instruments that the order's accepted methods can charge.

        Read from the same endpoint as the methods, never cached: they belong to one
        customer, and the methods (which the gateway caches) are the same for everyone.
        """
        url = f"{self._v3}/payments/methods?order_id={int(order_number)}"
        data = await self._data(CallClass.READ, "get_payment_methods", "GET", url)
        with _answer_of(CallClass.READ):
            return parse.usable_instruments(data or [])

    async def create_payment_access_token(self, order_number: int) -> str:
        body = {"order": {"id": int(order_number), "is_recurring": False}}
        data = await self._data(
            CallClass.TOKEN,
            "create_payment_access_token",
            "POST",
            f"{self._v3}/payments/access_tokens",
            body,
        )
        token = data.get("id") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise unavailable(CallClass.TOKEN.effect(answered=False))
        return token

    async def process_payment(
        self,
        access_token: str,
        instrument: Instrument,
        payment_method_id: str,
        save_instrument: bool | None,
    ) -> Payment:
        payment = bodies.payment_body(instrument, payment_method_id, save_instrument)
        headers = {
            "Authorization": f"PAT {access_token}",
            "Accept": PAYMENTS_ACCEPT,
            "Content-Type": "application/json",
        }
        response = await self._transport.call(
            CallClass.PAYMENT,
            "POST",
            self._payments,
            endpoint="process_payment",
            headers=headers,
            json={"payment": payment},
            field_path=_in_card if payment["instrument"]["type"] == "card" else _in_stored,
        )
        del payment  # no card data outlives the call
        data = response.data.get("data") if isinstance(response.data, dict) else None
        with _answer_of(CallClass.PAYMENT):
            if not isinstance(data, dict):
                raise MalformedAnswer("payment")
            return parse.payment(data)


class BigCommerceCustomers:
    """The domain's CustomerAccounts port: Customers V3 and the cart's customer."""

    def __init__(self, client: BigCommerceClient) -> None:
        self._client = client

    async def validate_credentials(self, email: str, password: str, channel_id: int) -> int | None:
        body = bodies.credentials_body(email, password, channel_id)
        client = self._client
        url = f"{client._v3}/customers/validate-credentials"
        # A check acts on nothing: a READ (retried when unanswered, Effect NONE).
        data = await client._json(CallClass.READ, "validate_credentials", "POST", url, body)
        del body  # the password goes no further than the call
        with _answer_of(CallClass.READ):
            return parse.valid_customer_id(data)

    async def get_customer(self, customer_id: int) -> Shopper | None:
        url = f"{self._client._v3}/customers?id:in={int(customer_id)}"
        data = await self._client._data(CallClass.READ, "get_customers", "GET", url)
        with _answer_of(CallClass.READ):
            found = [parse.shopper(c) for c in data or [] if c.get("id") == customer_id]
        return found[0] if found else None

    async def stored_instruments(self, customer_id: int) -> list[StoredInstrument]:
        url = f"{self._client._v3}/customers/{int(customer_id)}/stored-instruments"
        data = await self._client._json(CallClass.READ, "get_stored_instruments", "GET", url)
        with _answer_of(CallClass.READ):
            if not isinstance(data, list):
                raise MalformedAnswer("stored-instruments")
            return [s for s in (parse.stored_instrument(i) for i in data) if s is not None]

    async def cart_customer_id(self, cart_id: str) -> int | None:
        try:
            checkout = await self._client.get_checkout(cart_id)
        except GatewayError as exc:
            if exc.code is ErrorCode.NOT_FOUND:
                return None
            raise
        return checkout.cart.customer_id

    async def assign_cart(self, cart_id: str, customer_id: int) -> None:
        url = f"{self._client._v3}/carts/{_seg(cart_id)}"
        body = bodies.cart_customer_body(customer_id)
        await self._client._data(CallClass.WRITE, "update_cart_customer", "PUT", url, body)


# Each call's FieldPath: where its REST body sits in the domain's input. Names inside are
# BigCommerce's snake_case, the domain's own; list indexes are those of the domain's lists,
# which the bodies keep in order.

ADDRESS_WRAPPERS = frozenset({"address", "billing_address", "shipping_address"})


def _in_cart(path: list[str]) -> list[str]:
    # The one REST spelling that differs: {"currency": {"code"}} is the input's currency_code.
    return ["currency_code"] if path[:1] == ["currency"] else path


def _in_address(path: list[str]) -> list[str]:
    """The billing-address body is the address; a key BigCommerce prefixes with the
    address's own name still means a field of it."""
    return ["address", *(path[1:] if path[:1] and path[0] in ADDRESS_WRAPPERS else path)]


def _in_the_one_consignment(path: list[str]) -> list[str]:
    # The body is an array of one consignment: its index is not part of the input's path;
    # `shipping_address` is the deprecated alias of `address`.
    inner = path[1:] if path[:1] == ["0"] else path
    return ["address", *inner[1:]] if inner[:1] == ["shipping_address"] else inner


def _in_card(path: list[str]) -> list[str]:
    """payment.instrument.<field> is the card input's <field>; the rest is the payment's."""
    if path[:2] == ["payment", "instrument"]:
        rest = path[2:]
        return ["payment_method_id"] if rest == ["type"] else ["card", *rest]
    return path[1:] if path[:1] == ["payment"] else path


def _in_stored(path: list[str]) -> list[str]:
    """A stored instrument is chosen by its token; only its CVV is typed by the shopper."""
    if path[:2] == ["payment", "instrument"]:
        rest = path[2:]
        if rest == ["type"]:
            return ["payment_method_id"]
        return ["verification_value"] if rest == ["verification_value"] else ["token"]
    return path[1:] if path[:1] == ["payment"] else path


@contextmanager
def _answer_of(call: CallClass) -> Iterator[None]:
    """A 2xx answer that cannot be read: as if the answer was lost, for this call's class."""
    try:
        yield
    except MalformedAnswer:
        raise unavailable(call.effect(answered=False)) from None


def _seg(value: str) -> str:
    """One URL path segment: ids from clients can never add a path or a query."""
    return quote(str(value), safe="")
