"""Shopper.orders' connection: a domain page of orders shaped as Relay edges and pageInfo."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from gateway.domain.models import Money, Order
from gateway.domain.orders import OrderEdge, OrderPage, encode_cursor
from gateway.schema.order_history import connection, orders_of


def _order(number: int) -> Order:
    return Order(
        f"ord_{number}", number, "Incomplete", 0, None, Money(Decimal("1"), "USD"), 1, None
    )


def test_a_page_becomes_edges_and_page_info() -> None:
    page = OrderPage([OrderEdge(encode_cursor(n), _order(100 - n)) for n in range(2)], True)
    shaped = connection(page)
    assert [(e.cursor, e.node.number) for e in shaped.edges] == [
        (encode_cursor(0), 100),
        (encode_cursor(1), 99),
    ]
    assert shaped.page_info.has_next_page is True
    assert shaped.page_info.end_cursor == encode_cursor(1)
    empty = connection(OrderPage([], False))
    assert empty.edges == [] and empty.page_info.end_cursor is None


async def test_orders_of_asks_the_history_of_the_customer_given() -> None:
    asked: list[Any] = []

    async def history(customer_id: int, first: int | None, after: str | None) -> OrderPage:
        asked.append((customer_id, first, after))
        return OrderPage([OrderEdge(encode_cursor(0), _order(7))], False)

    info: Any = SimpleNamespace(context=SimpleNamespace(orders=SimpleNamespace(history=history)))
    shaped = await orders_of(info, 2, 5, None)
    assert asked == [(2, 5, None)] and shaped.edges[0].node.number == 7
