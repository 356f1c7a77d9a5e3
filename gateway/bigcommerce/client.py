"""Typed calls to BigCommerce, one method per endpoint of the checkout flow.

Management calls go to ``{api_url}/stores/{hash}/v3|v2`` with ``X-Auth-Token``;
the payment goes to ``{payments_url}/stores/{hash}/payments`` with
``Authorization: PAT <token>`` and ``Accept: application/vnd.bc.v1+json`` and
no ``X-Auth-Token``. Callers never see either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlencode

from gateway.bigcommerce import bodies, parse, parse_orders
from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.errors import (
    FieldPath,
    InputRule,
    MalformedAnswer,
    UpstreamError,
    as_named,
    currency_refused,
    order_step_missing,
    unavailable,
)
from gateway.bigcommerce.transport import UpstreamResponse, UpstreamTransport
from gateway.domain.identity import Shopper
from gateway.domain.models import (
    Address,
    Cart,
    CartLine,
    Checkout,
    ConsignmentLine,
    Order,
    OrderLine,
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
V2_MAX_LIMIT = 250  # rows per v2 page: an order's products and addresses in one read
COUPON_REFUSED = "The coupon code is not valid for this checkout, or it has expired."


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

    def _send(
        self,
        call: CallClass,
        endpoint: str,
        method: str,
        url: str,
        body: Any,
        field_path: FieldPath,
    ) -> Awaitable[UpstreamResponse]:
        # The transport's coroutine itself: _json and _data await it without one of their own.
        headers = self._read_headers if body is None else self._write_headers
        return self._transport.call(
            call,
            method,
            url,
            endpoint=endpoint,
            headers=headers,
            json=body,
            field_path=field_path,
        )

    async def _json(
        self,
        call: CallClass,
        endpoint: str,
        method: str,
        url: str,
        body: Any = None,
        field_path: FieldPath = as_named,
    ) -> Any:
        return (await self._send(call, endpoint, method, url, body, field_path)).data

    async def _data(
        self,
        call: CallClass,
        endpoint: str,
        method: str,
        url: str,
        body: Any = None,
        field_path: FieldPath = as_named,
    ) -> Any:
        payload = (await self._send(call, endpoint, method, url, body, field_path)).data
        if not isinstance(payload, dict) or "data" not in payload:
            raise unavailable(call.effect(answered=False))
        return payload["data"]

    def _checkout(self, call: CallClass, data: Any) -> Checkout:
        try:  # as _answer_of, without a generator on the hot read
            return parse.checkout(data, self._sign_order)
        except MalformedAnswer:
            raise unavailable(call.effect(answered=False)) from None

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

    # Editing the cart and checkout (issue 13). Cart endpoints answer the cart, not the
    # checkout: the checkout is read after them.

    async def add_cart_items(
        self, checkout_id: str, lines: list[CartLine], version: int | None
    ) -> Checkout:
        body = bodies.cart_items_body(lines, version)
        url = f"{self._v3}/carts/{_seg(checkout_id)}/items"
        await self._json(CallClass.WRITE, "add_cart_items", "POST", url, body)
        return await self.get_checkout(checkout_id)

    async def update_cart_item(
        self,
        checkout_id: str,
        item_id: str,
        product_id: int,
        variant_id: int | None,
        quantity: int,
        version: int | None,
    ) -> Checkout:
        body = bodies.cart_item_update_body(product_id, variant_id, quantity, version)
        url = f"{self._v3}/carts/{_seg(checkout_id)}/items/{_seg(item_id)}"
        await self._json(CallClass.WRITE, "update_cart_item", "PUT", url, body, _in_line_item)
        return await self.get_checkout(checkout_id)

    async def delete_cart_item(self, checkout_id: str, item_id: str) -> Checkout | None:
        url = f"{self._v3}/carts/{_seg(checkout_id)}/items/{_seg(item_id)}"
        response = await self._transport.call(
            CallClass.WRITE,
            "DELETE",
            url,
            endpoint="delete_cart_item",
            headers=self._read_headers,
        )
        if response.status == 204:
            return None  # the last line went: BigCommerce deleted the cart
        return await self.get_checkout(checkout_id)

    async def add_coupon(self, checkout_id: str, code: str, version: int | None) -> Checkout:
        body = bodies.coupon_body(code, version)
        url = f"{self._v3}/checkouts/{_seg(checkout_id)}/coupons?include={SHIPPING_OPTIONS}"
        try:
            data = await self._data(CallClass.WRITE, "add_coupon", "POST", url, body, _as_code)
        except UpstreamError as exc:
            if exc.code is ErrorCode.VALIDATION and exc.status in (400, 422):
                # BigCommerce refuses an unknown, expired or ineligible code this way.
                raise UpstreamError(
                    ErrorCode.COUPON_INVALID,
                    COUPON_REFUSED,
                    ["code"],
                    effect=exc.effect,
                    status=exc.status,
                ) from None
            raise
        return self._checkout(CallClass.WRITE, data)

    async def delete_coupon(self, checkout_id: str, code: str) -> Checkout:
        url = (
            f"{self._v3}/checkouts/{_seg(checkout_id)}/coupons/{_seg(code)}"
            f"?include={SHIPPING_OPTIONS}"
        )
        data = await self._data(CallClass.WRITE, "delete_coupon", "DELETE", url)
        return self._checkout(CallClass.WRITE, data)

    async def change_consignment(
        self,
        checkout_id: str,
        consignment_id: str,
        address: Address | None,
        lines: list[ConsignmentLine] | None,
        version: int | None,
    ) -> Checkout:
        body = bodies.consignment_change_body(address, lines, version)
        url = (
            f"{self._v3}/checkouts/{_seg(checkout_id)}/consignments/{_seg(consignment_id)}"
            f"?include={SHIPPING_OPTIONS}"
        )
        data = await self._data(CallClass.WRITE, "update_consignment", "PUT", url, body)
        return self._checkout(CallClass.WRITE, data)

    async def delete_consignment(self, checkout_id: str, consignment_id: str) -> Checkout:
        url = (
            f"{self._v3}/checkouts/{_seg(checkout_id)}/consignments/{_seg(consignment_id)}"
            f"?include={SHIPPING_OPTIONS}"
        )
        data = await self._data(CallClass.WRITE, "delete_consignment", "DELETE", url)
        return self._checkout(CallClass.WRITE, data)

    async def set_customer_message(
        self, checkout_id: str, message: str, version: int | None
    ) -> Checkout:
        body = bodies.customer_message_body(message, version)
        url = f"{self._v3}/checkouts/{_seg(checkout_id)}?include={SHIPPING_OPTIONS}"
        data = await self._data(CallClass.WRITE, "update_checkout", "PUT", url, body, _as_message)
        return self._checkout(CallClass.WRITE, data)

    # Orders

    async def get_order(self, number: int) -> Order:
        data = await self._json(
            CallClass.READ, "get_order", "GET", f"{self._v2}/orders/{int(number)}"
        )
        with _answer_of(CallClass.READ):
            return parse_orders.order(data, self._sign_order)

    async def get_order_lines(self, number: int, currency: str) -> list[OrderLine]:
        url = f"{self._v2}/orders/{int(number)}/products?limit={V2_MAX_LIMIT}"
        rows = await self._json(CallClass.READ, "get_order_products", "GET", url)
        with _answer_of(CallClass.READ):
            return [parse_orders.order_line(row, currency) for row in _v2_rows(rows)]

    async def get_order_shipping_addresses(self, number: int) -> list[Address]:
        url = f"{self._v2}/orders/{int(number)}/shipping_addresses?limit={V2_MAX_LIMIT}"
        rows = await self._json(CallClass.READ, "get_order_shipping_addresses", "GET", url)
        with _answer_of(CallClass.READ):
            found = (parse_orders.address(row) for row in _v2_rows(rows))
            return [a for a in found if a is not None]

    async def list_customer_orders(self, customer_id: int, limit: int, page: int) -> list[Order]:
        query = urlencode(
            {
                "customer_id": int(customer_id),
                "sort": "date_created:desc",
                "limit": int(limit),
                "page": int(page),
            }
        )
        rows = await self._json(CallClass.READ, "list_orders", "GET", f"{self._v2}/orders?{query}")
        with _answer_of(CallClass.READ):
            return [parse_orders.order(row, self._sign_order) for row in _v2_rows(rows)]

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


def _v2_rows(data: Any) -> list[Any]:
    """A v2 list: an array, or nothing at all (BigCommerce answers an empty one with 204)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise MalformedAnswer("list")
    return data


def _in_line_item(path: list[str]) -> list[str]:
    # "line_item.quantity" is the mutation's own "quantity".
    return path[1:] if path[:1] == ["line_item"] else path


def _as_code(path: list[str]) -> list[str]:
    return ["code"] if path[:1] == ["coupon_code"] else path


def _as_message(path: list[str]) -> list[str]:
    return ["message"] if path[:1] == ["customer_message"] else path


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
