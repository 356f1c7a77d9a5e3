"""Per-request loaders of an order's details: its own body, product lines, shipping addresses.

A confirmation page selects many fields of one order; each of the three reads behind them
(``GET /v2/orders/{id}``, ``.../products``, ``.../shipping_addresses``) is made at most
once per order per request however many fields need it, and orders asked together are
read together (the executor awaits them at once: one round trip of wall time). The same
per-request memo as the entity reads (``loaders.OncePerKey``): there is no batch endpoint
for a loader to batch into.
"""

from __future__ import annotations

from collections.abc import Awaitable

from gateway.domain.models import Address, Order, OrderDetails, OrderLine
from gateway.domain.orders import OrderFlows
from gateway.schema.loaders import OncePerKey


class OrderLoaders:
    def __init__(self, orders: OrderFlows) -> None:
        self._orders = orders
        self.bodies: OncePerKey[int, Order] = OncePerKey(orders.order)
        self.lines: OncePerKey[tuple[int, str], list[OrderLine]] = OncePerKey(self._lines)
        self.shipping_addresses: OncePerKey[int, list[Address]] = OncePerKey(
            orders.shipping_addresses
        )

    def _lines(self, key: tuple[int, str]) -> Awaitable[list[OrderLine]]:
        return self._orders.lines(*key)

    async def details(self, order: Order) -> OrderDetails:
        """The order's details: from the order itself when it was read, else read once."""
        if order.details is not None:
            return order.details
        read = await self.bodies.load(order.number)
        assert read.details is not None  # the adapter always reads them with the order
        return read.details
