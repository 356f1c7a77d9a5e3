"""A customer's order history: the domain's pages over the real adapter and the sandbox store.

``Shopper.orders`` shows these pages; here they are read through the runtime the gateway
serves from (real HTTP to the sandbox), newest first, page by page with cursors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from gateway.bootstrap import Runtime
from gateway.domain.orders import decode_cursor, encode_cursor
from gateway.errors import ErrorCode, GatewayError
from tests.flow import sign_in, unpaid_order
from tests.live_gateway import gateway_settings
from tests.openapi.validate import validate_recorded


@pytest_asyncio.fixture
async def runtime(gateway: Any) -> AsyncIterator[Runtime]:
    opened = await Runtime.open(gateway_settings(gateway.sandbox))
    yield opened
    await opened.close()


def newest_first(gateway: Any, customer_id: int) -> list[int]:
    orders = [o for o in gateway.sandbox.state.orders.values() if o.customer_id == customer_id]
    return [o.id for o in sorted(orders, key=lambda o: (o.created, o.id), reverse=True)]


async def test_pages_walk_the_customers_orders_newest_first(gateway, runtime: Runtime) -> None:
    token = await sign_in(gateway, 2)
    mine = [(await unpaid_order(gateway, token))["number"] for _ in range(3)]
    expected = newest_first(gateway, 2)
    assert expected[:3] == mine[::-1]  # the latest order is the first

    gateway.sandbox.clear_requests()
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = await runtime.orders.history(2, 2, after)
        pages += 1
        seen.extend(edge.node.number for edge in page.edges)
        assert all(edge.node.customer_id == 2 for edge in page.edges)
        if not page.has_next_page:
            break
        assert page.end_cursor == page.edges[-1].cursor
        after = page.end_cursor
    assert seen == expected
    assert pages == (len(expected) + 1) // 2
    for request in gateway.sandbox.requests:
        assert request.query["customer_id"] == "2"
        assert request.query["sort"] == "date_created:desc"
        validate_recorded(request)
    # A page is one v2 read, or two when it starts inside a v2 page.
    assert pages <= len(gateway.sandbox.requests) <= 2 * pages

    # The nodes are orders as the gateway shows them: opaque ids, details already read.
    first = (await runtime.orders.history(2, 1, None)).edges[0].node
    assert str(first.number) not in first.id and runtime.codec.decode(first.id) == first.number
    assert first.details is not None and first.details.billing_address is not None
    assert first.details.created_at is not None


async def test_a_customer_without_orders_has_an_empty_page(runtime: Runtime) -> None:
    page = await runtime.orders.history(424242, None, None)
    assert page.edges == [] and page.has_next_page is False and page.end_cursor is None


@pytest.mark.parametrize("first", [0, -1, 51])
async def test_first_is_between_1_and_50(runtime: Runtime, first: int) -> None:
    with pytest.raises(GatewayError) as caught:
        await runtime.orders.history(1, first, None)
    assert caught.value.code is ErrorCode.VALIDATION and caught.value.field == ("first",)


@pytest.mark.parametrize(
    "cursor", ["", "bm9wZQ", "!!!", "x" * 100, encode_cursor(3)[:-2], "b3JkZXItaGlzdG9yeTotMQ"]
)
async def test_a_cursor_not_made_here_is_refused(runtime: Runtime, cursor: str) -> None:
    with pytest.raises(GatewayError) as caught:
        await runtime.orders.history(1, 5, cursor)
    assert caught.value.code is ErrorCode.VALIDATION and caught.value.field == ("after",)


def test_cursors_are_opaque_and_round_trip() -> None:
    for position in (0, 7, 12345):
        cursor = encode_cursor(position)
        assert str(position) not in cursor
        assert decode_cursor(cursor) == position
