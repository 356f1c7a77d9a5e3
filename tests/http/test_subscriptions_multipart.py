"""Apollo's multipart HTTP subscriptions over a real uvicorn: framing, heartbeats, the end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from gateway.http.subscriptions_multipart import wants_multipart_subscription
from tests.http.multipart_client import END, MultipartReader, next_part
from tests.http.subscription_app import (
    CLIENT_KEY,
    DOCUMENT,
    SubscriptionServer,
    nobody_subscribed,
    order_id,
    start_server,
)

ACCEPT = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json'


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def served() -> AsyncIterator[SubscriptionServer]:
    server = await start_server(heartbeat_s=0.2)
    yield server
    await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def request(number: int | str, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {CLIENT_KEY}", "Accept": ACCEPT}
    if token:
        headers["X-Shopper-Token"] = token
    oid = order_id(number) if isinstance(number, int) else number
    body = {"query": DOCUMENT, "operationName": "OrderStatus", "variables": {"orderId": oid}}
    return {"json": body, "headers": headers}


def status_of(part: Any) -> str:
    return part["payload"]["data"]["orderStatusChanged"]["status"]  # type: ignore[no-any-return]


async def next_event(parts: AsyncIterator[Any]) -> Any:
    """The next part that is not a heartbeat."""
    while (part := await next_part(parts)) == {}:
        pass
    return part


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        ("multipart/mixed;subscriptionSpec=1.0, application/json", True),
        ('multipart/mixed;subscriptionSpec="1.0",application/json', True),
        ('multipart/mixed; boundary="graphql"; subscriptionSpec="1.0", application/json', True),
        ("Multipart/Mixed;SubscriptionSpec=1.0", True),
        ("multipart/mixed;deferSpec=20220824, application/json", False),
        ("multipart/mixed;subscriptionSpec=2.0", False),
        ("application/json", False),
        (None, False),
    ],
)
def test_which_accept_headers_ask_for_multipart_subscriptions(accept, wanted) -> None:
    assert wants_multipart_subscription(accept) is wanted


async def test_current_status_then_changes_in_framed_parts_with_heartbeats(http, served) -> None:
    served.book.put(601, 0, "Incomplete", 100)
    async with http.post(f"{served.url}/graphql", **request(601)) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == (
            'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"'
        )
        parts = MultipartReader(response).parts_of()
        first = await next_event(parts)
        assert first == {
            "payload": {
                "data": {
                    "orderStatusChanged": {
                        "id": order_id(601),
                        "number": 601,
                        "status": "Incomplete",
                        "statusId": 0,
                    }
                }
            }
        }
        # Quiet: heartbeats (an empty object) keep the stream alive.
        assert await next_part(parts) == {}
        served.book.put(601, 11, "Awaiting Fulfillment", 101)
        await served.feed.notify(601)
        assert status_of(await next_event(parts)) == "Awaiting Fulfillment"
        served.book.put(601, 2, "Shipped", 102)
        await served.feed.notify(601)
        assert status_of(await next_event(parts)) == "Shipped"


async def test_not_found_is_one_error_part_then_the_end(http, served) -> None:
    async with http.post(f"{served.url}/graphql", **request(999_999)) as response:
        assert response.status == 200
        reader = MultipartReader(response)
        parts = reader.parts_of()
        part = await next_part(parts)
        assert part["payload"]["data"] is None
        assert part["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert await next_part(parts) is END
    assert reader.raw.endswith(b"\r\n--graphql--\r\n")


async def test_another_customers_order_is_not_found(http, served) -> None:
    served.book.put(602, 11, "Awaiting Fulfillment", 100, customer_id=7)
    async with http.post(f"{served.url}/graphql", **request(602, "customer-8")) as response:
        parts = MultipartReader(response).parts_of()
        part = await next_part(parts)
        assert part["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    async with http.post(f"{served.url}/graphql", **request(602, "customer-7")) as response:
        parts = MultipartReader(response).parts_of()
        assert status_of(await next_event(parts)) == "Awaiting Fulfillment"


async def test_a_client_leaving_releases_its_subscription(http, served) -> None:
    served.book.put(603, 11, "Awaiting Fulfillment", 100)
    await nobody_subscribed(served)  # earlier tests' clients are gone
    async with http.post(f"{served.url}/graphql", **request(603)) as response:
        parts = MultipartReader(response).parts_of()
        await next_event(parts)
        assert served.feed.open_subscriptions == 1
        response.close()  # drop the connection mid-stream
    await nobody_subscribed(served)
    assert served.live.open_subscriptions("multipart") == 0


async def test_shutdown_ends_the_stream_with_the_closing_delimiter(http) -> None:
    own = await start_server(heartbeat_s=5.0)
    own.book.put(604, 11, "Awaiting Fulfillment", 100)
    async with http.post(f"{own.url}/graphql", **request(604)) as response:
        reader = MultipartReader(response)
        parts = reader.parts_of()
        await next_event(parts)
        stopping = asyncio.create_task(own.stop())
        assert await next_part(parts) is END
        await stopping
    assert reader.ended
