"""Reading orders: a confirmation page's details, and a customer's order history.

History is a Relay-style connection over BigCommerce's v2 order list (newest first, paged
by ``limit`` and ``page``). A cursor is an opaque token for a position in that list; the
next page starts after it. A page of ``first`` orders is asked as one or two v2 pages of
``first + 1`` rows, so ``hasNextPage`` is known without a count call.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from gateway.domain.editing_ports import OrderReader
from gateway.domain.models import Address, Order, OrderLine
from gateway.errors import ErrorCode, GatewayError

MAX_PAGE = 50
DEFAULT_PAGE = 10
CURSOR_PREFIX = "order-history:"


@dataclass(frozen=True, slots=True)
class OrderEdge:
    cursor: str
    node: Order


@dataclass(frozen=True, slots=True)
class OrderPage:
    edges: list[OrderEdge]
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1].cursor if self.edges else None


def encode_cursor(position: int) -> str:
    raw = f"{CURSOR_PREFIX}{position}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for; anything not made by ``encode_cursor`` is refused."""
    bad = GatewayError(ErrorCode.VALIDATION, "The cursor is not one this API gave.", ["after"])
    if len(cursor) > 64:
        raise bad
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    digits = text.removeprefix(CURSOR_PREFIX)
    if not text.startswith(CURSOR_PREFIX) or not digits.isascii() or not digits.isdigit():
        raise bad
    return int(digits)


class OrderFlows:
    def __init__(self, client: OrderReader) -> None:
        self._client = client

    async def order(self, number: int) -> Order:
        return await self._client.get_order(number)

    async def lines(self, number: int, currency: str) -> list[OrderLine]:
        return await self._client.get_order_lines(number, currency)

    async def shipping_addresses(self, number: int) -> list[Address]:
        return await self._client.get_order_shipping_addresses(number)

    async def history(self, customer_id: int, first: int | None, after: str | None) -> OrderPage:
        """The customer's orders after the ``after`` cursor, newest first, at most ``first``."""
        size = DEFAULT_PAGE if first is None else first
        if not 1 <= size <= MAX_PAGE:
            raise GatewayError(
                ErrorCode.VALIDATION, f"first must be between 1 and {MAX_PAGE}.", ["first"]
            )
        start = 0 if after is None else decode_cursor(after) + 1
        # Rows start..start+size (one more than asked: it tells whether a next page exists),
        # read as v2 pages of size+1 rows: one page, or two when start is not on a boundary.
        limit = size + 1
        first_page = start // limit + 1
        last_page = (start + size) // limit + 1
        rows: list[Order] = []
        for page in range(first_page, last_page + 1):
            found = await self._client.list_customer_orders(customer_id, limit, page)
            rows.extend(found)
            if len(found) < limit:
                break
        offset = start - (first_page - 1) * limit
        window = rows[offset : offset + size + 1]
        edges = [
            OrderEdge(encode_cursor(start + n), order) for n, order in enumerate(window[:size])
        ]
        return OrderPage(edges=edges, has_next_page=len(window) > size)
