"""A signed-in shopper's orders as a Relay-style connection (CONTRACT §1c).

``Shopper.orders(first, after)`` answers ``orders_of`` for the shopper of the request's
token; it is a field of ``shopper``, so no one else's orders can be asked for.
"""

from __future__ import annotations

from typing import cast

import strawberry

from gateway.domain.orders import OrderPage
from gateway.schema.context import Info
from gateway.schema.query_errors import answer
from gateway.schema.types import Order


@strawberry.type
class OrderEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as `after` for what follows.")
    node: Order


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="Orders, newest first.")
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo


def connection(page: OrderPage) -> OrderConnection:
    return OrderConnection(
        edges=[OrderEdge(cursor=e.cursor, node=cast(Order, e.node)) for e in page.edges],
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
    )


async def orders_of(
    info: Info, customer_id: int, first: int | None, after: str | None
) -> OrderConnection:
    """At most ``first`` (1 to 50, default 10) of the customer's orders after ``after``."""
    page = await answer(info.context.orders.history(customer_id, first, after))
    return connection(cast(OrderPage, page))
