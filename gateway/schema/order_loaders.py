"""Per-request loaders of an order's details: its own body, product lines, shipping addresses.

A confirmation page selects many fields of one order; each of the three reads behind them
(``GET /v2/orders/{id}``, ``.../products``, ``.../shipping_addresses``) is made at most
once per order per request however many fields need it, and orders asked together are
read together (one round trip of wall time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from gateway.domain.models import Address, Order, OrderDetails, OrderLine
from gateway.domain.orders import OrderFlows

K = TypeVar("K")
T = TypeVar("T")


def _each_alone(
    fetch: Callable[[K], Awaitable[T]],
) -> Callable[[list[K]], Awaitable[Sequence[T | BaseException]]]:
    """No batch endpoint: each distinct key is read once, all at once, failing alone."""

    async def load(keys: list[K]) -> Sequence[T | BaseException]:
        return await asyncio.gather(*(fetch(key) for key in keys), return_exceptions=True)

    return load


class OrderLoaders:
    def __init__(self, orders: OrderFlows) -> None:
        self._orders = orders
        self.bodies: DataLoader[int, Order] = DataLoader(_each_alone(orders.order))
        self.lines: DataLoader[tuple[int, str], list[OrderLine]] = DataLoader(
            _each_alone(self._lines)
        )
        self.shipping_addresses: DataLoader[int, list[Address]] = DataLoader(
            _each_alone(orders.shipping_addresses)
        )

    async def _lines(self, key: tuple[int, str]) -> list[OrderLine]:
        return await self._orders.lines(*key)

    async def details(self, order: Order) -> OrderDetails:
        """The order's details: from the order itself when it was read, else read once."""
        if order.details is not None:
            return order.details
        read = await self.bodies.load(order.number)
        assert read.details is not None  # the adapter always reads them with the order
        return read.details
