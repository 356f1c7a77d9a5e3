"""A fake ``OrderReader`` (the port, not our adapter): orders in memory, reads counted.

``gate`` holds every read until it is set, so a test can pile hints onto a read in flight.
"""

from __future__ import annotations

import asyncio

from gateway.domain.order_events import OrderStatusSnapshot
from gateway.errors import ErrorCode, GatewayError


class OrderBook:
    def __init__(self) -> None:
        self.orders: dict[int, OrderStatusSnapshot] = {}
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()

    def put(
        self, number: int, status_id: int, status: str, version: int, customer_id: int = 0
    ) -> OrderStatusSnapshot:
        snapshot = OrderStatusSnapshot(number, status_id, status, version, customer_id)
        self.orders[number] = snapshot
        return snapshot

    async def read_order_status(self, order_number: int) -> OrderStatusSnapshot:
        self.reads += 1
        await self.gate.wait()
        found = self.orders.get(order_number)
        if found is None:
            raise GatewayError(ErrorCode.NOT_FOUND, "No order with this id.")
        return found
