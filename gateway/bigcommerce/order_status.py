"""The feed's ``OrderReader`` port: one ``GET /v2/orders/{id}``, the status and the order's clock.

Why the v2 order: it is the read the ``order`` query makes, so the snapshot carries the
same ``Order`` a query answers (a subscription's events normalize onto the same object in
a client's cache), and its ``date_modified`` (RFC 2822, whole seconds) moves on every
change of the order: the version the feed orders events by.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

from gateway.bigcommerce import parse
from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.client import BigCommerceClient
from gateway.bigcommerce.errors import MalformedAnswer, unavailable
from gateway.domain.models import Order
from gateway.domain.order_events import OrderStatusSnapshot


class BigCommerceOrderReader:
    def __init__(self, client: BigCommerceClient, sign_order: Callable[[int], str]) -> None:
        self._client = client
        self._sign_order = sign_order

    async def read_order_status(self, order_number: int) -> OrderStatusSnapshot:
        url = f"{self._client._v2}/orders/{int(order_number)}"
        data = await self._client._json(CallClass.READ, "get_order", "GET", url)
        try:
            return snapshot_of(data, self._sign_order)
        except MalformedAnswer:
            raise unavailable(CallClass.READ.effect(answered=False)) from None


def snapshot_of(data: Any, sign_order: Callable[[int], str]) -> OrderStatusSnapshot:
    """A v2 order body -> the snapshot (``MalformedAnswer`` when it cannot be read)."""
    if not isinstance(data, dict):
        raise MalformedAnswer("order")
    try:
        number = int(data["id"])
        status_id = int(data.get("status_id") or 0)
        customer_id = int(data.get("customer_id") or 0)
    except (KeyError, TypeError, ValueError):
        raise MalformedAnswer("order") from None
    currency = str(data.get("currency_code") or data.get("default_currency_code") or "USD")
    order = Order(
        id=sign_order(number),
        number=number,
        status=str(data.get("status") or ""),
        status_id=status_id,
        payment_status=(data.get("payment_status") or None),
        total=parse.money(data.get("total_inc_tax"), currency),
        customer_id=customer_id,
        cart_id=data.get("cart_id") or None,
    )
    return OrderStatusSnapshot(
        order_number=number,
        status_id=status_id,
        status=order.status,
        version=modified_at(data.get("date_modified")),
        customer_id=customer_id,
        order=order,
    )


def modified_at(value: Any) -> int:
    """``date_modified`` (RFC 2822) as epoch seconds; an order without one has version 0."""
    if not value:
        return 0
    try:
        return int(parsedate_to_datetime(str(value)).timestamp())
    except (TypeError, ValueError):
        raise MalformedAnswer("date_modified") from None
