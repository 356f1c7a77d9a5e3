"""The store calls that editing a cart and checkout, and reading orders, need (issue 13).

Kept beside ``ports.py`` rather than in it so the cart-editing and order-reading flows can
be read (and faked) on their own; the BigCommerce client implements both.
"""

from __future__ import annotations

from typing import Protocol

from gateway.domain.models import (
    Address,
    CartLine,
    Checkout,
    ConsignmentLine,
    Order,
    OrderLine,
)


class CheckoutEditor(Protocol):
    """Cart lines, coupons, consignments and the note. Failures raise ``GatewayError``.

    A cart call that empties the cart deletes it: those answer ``None``.
    """

    async def get_checkout(self, checkout_id: str) -> Checkout: ...

    async def add_cart_items(
        self, checkout_id: str, lines: list[CartLine], version: int | None
    ) -> Checkout: ...

    async def update_cart_item(
        self,
        checkout_id: str,
        item_id: str,
        product_id: int,
        variant_id: int | None,
        quantity: int,
        version: int | None,
    ) -> Checkout: ...

    async def delete_cart_item(self, checkout_id: str, item_id: str) -> Checkout | None: ...

    async def add_coupon(self, checkout_id: str, code: str, version: int | None) -> Checkout: ...

    async def delete_coupon(self, checkout_id: str, code: str) -> Checkout: ...

    async def change_consignment(
        self,
        checkout_id: str,
        consignment_id: str,
        address: Address | None,
        lines: list[ConsignmentLine] | None,
        version: int | None,
    ) -> Checkout: ...

    async def delete_consignment(self, checkout_id: str, consignment_id: str) -> Checkout: ...

    async def set_customer_message(
        self, checkout_id: str, message: str, version: int | None
    ) -> Checkout: ...


class OrderReader(Protocol):
    """An order's own body, its product lines and shipping addresses, a customer's orders."""

    async def get_order(self, number: int) -> Order: ...

    async def get_order_lines(self, number: int, currency: str) -> list[OrderLine]:
        """v2 order products carry no currency: the order's own is given."""
        ...

    async def get_order_shipping_addresses(self, number: int) -> list[Address]: ...

    async def list_customer_orders(self, customer_id: int, limit: int, page: int) -> list[Order]:
        """One page of the customer's orders, newest first (``page`` counts from 1)."""
        ...
