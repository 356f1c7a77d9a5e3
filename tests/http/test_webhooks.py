"""``POST /webhooks/bigcommerce`` over a real uvicorn: who may post, what is refused, and that
the answer comes before the work."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
import pytest_asyncio

from gateway.domain.order_events import StatusWatch
from gateway.http.webhooks import SECRET_HEADER, WEBHOOK_PATH
from tests.http.subscription_app import STORE_HASH, WEBHOOK_SECRET, SubscriptionServer, start_server

SIGNED = {SECRET_HEADER: WEBHOOK_SECRET}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def served() -> AsyncIterator[SubscriptionServer]:
    server = await start_server()
    yield server
    await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def callback(number: int, *, scope: str = "store/order/statusUpdated", hash_: str = "h1") -> bytes:
    return orjson.dumps(
        {
            "scope": scope,
            "store_id": "1025646",
            "data": {
                "type": "order",
                "id": number,
                "status": {"previous_status_id": 0, "new_status_id": 11},
            },
            "hash": hash_,
            "created_at": 1561479335,
            "producer": f"stores/{STORE_HASH}",
        }
    )


async def post(
    http: aiohttp.ClientSession, served: SubscriptionServer, body: Any, headers: dict[str, str]
) -> int:
    async with http.post(f"{served.url}{WEBHOOK_PATH}", data=body, headers=headers) as response:
        assert await response.read() == b""
        return response.status


async def watching(served: SubscriptionServer, number: int) -> StatusWatch:
    watch = await served.feed.watch(number)
    await asyncio.wait_for(watch.__anext__(), 5)  # the current status
    return watch


async def settled(served: SubscriptionServer) -> None:
    for _ in range(500):
        if served.webhooks.pending == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("webhook work still pending")


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({SECRET_HEADER: "not-the-secret"}, 403), ({SECRET_HEADER: ""}, 403)],
)
async def test_a_forged_callback_is_refused_and_changes_nothing(http, served, headers, status):
    served.book.put(701, 0, "Incomplete", 100)
    watch = await watching(served, 701)
    reads = served.book.reads
    served.book.put(701, 11, "Awaiting Fulfillment", 101)
    body = callback(701, hash_=f"forged-{uuid.uuid4()}")
    assert await post(http, served, body, headers) == status
    await settled(served)
    assert served.book.reads == reads  # not even read
    assert list(watch._pending) == []
    # The same callback signed is what moves it (and its hash was not burnt by the forgery).
    assert await post(http, served, body, SIGNED) == 200
    status_now = await asyncio.wait_for(watch.__anext__(), 5)
    assert status_now.status == "Awaiting Fulfillment"
    watch.close()


async def test_the_answer_comes_before_the_order_is_read(http, served) -> None:
    served.book.put(702, 0, "Incomplete", 100)
    watch = await watching(served, 702)
    served.book.put(702, 11, "Awaiting Fulfillment", 101)
    served.book.gate.clear()  # the order read will hang until the answer was seen
    try:
        assert await post(http, served, callback(702, hash_="early"), SIGNED) == 200
        assert served.webhooks.pending == 1  # answered, the work still running
        assert list(watch._pending) == []
    finally:
        served.book.gate.set()
    assert (await asyncio.wait_for(watch.__anext__(), 5)).status == "Awaiting Fulfillment"
    await settled(served)
    watch.close()


async def test_fifty_duplicate_callbacks_read_the_order_once(http, served) -> None:
    served.book.put(703, 0, "Incomplete", 100)
    watch = await watching(served, 703)
    reads = served.book.reads
    served.book.put(703, 11, "Awaiting Fulfillment", 101)
    body = callback(703, hash_="burst")
    answers = await asyncio.gather(*(post(http, served, body, SIGNED) for _ in range(50)))
    assert answers == [200] * 50
    await settled(served)
    assert served.book.reads - reads == 1
    assert (await asyncio.wait_for(watch.__anext__(), 5)).status == "Awaiting Fulfillment"
    assert list(watch._pending) == []
    watch.close()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"scope": 3}', orjson.dumps({"scope": "store/order/created"})],
)
async def test_malformed_callbacks_are_400(http, served, body) -> None:
    reads = served.book.reads
    assert await post(http, served, body, SIGNED) == 400
    assert served.book.reads == reads


async def test_unknown_scopes_and_other_stores_are_answered_200_and_ignored(http, served) -> None:
    reads = served.book.reads
    product = callback(704, scope="store/product/updated")
    assert await post(http, served, product, SIGNED) == 200
    other = orjson.loads(callback(704, hash_="other-store"))
    other["producer"] = "stores/someone-else"
    assert await post(http, served, orjson.dumps(other), SIGNED) == 200
    await settled(served)
    assert served.book.reads == reads


async def test_an_oversized_body_is_413_with_or_without_a_length(http, served) -> None:
    big = b'{"scope": "store/order/created", "pad": "' + b"x" * (70 * 1024) + b'"}'
    assert await post(http, served, big, SIGNED) == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    assert await post(http, served, chunked(), SIGNED) == 413


async def test_only_post_is_served(http, served) -> None:
    async with http.get(f"{served.url}{WEBHOOK_PATH}", headers=SIGNED) as response:
        assert response.status == 405
        assert response.headers["Allow"] == "POST"


async def test_shutdown_drains_answered_work_and_cancels_what_outlives_the_grace(http) -> None:
    own = await start_server()
    try:
        own.book.put(705, 0, "Incomplete", 100)
        watch = await watching(own, 705)
        own.book.put(705, 11, "Awaiting Fulfillment", 101)
        own.book.gate.clear()
        assert await post(http, own, callback(705, hash_="drained"), SIGNED) == 200
        draining = asyncio.create_task(own.webhooks.drain(5.0))
        await asyncio.sleep(0)
        own.book.gate.set()
        await draining  # waited for the answered callback's work
        assert own.webhooks.pending == 0
        assert (await asyncio.wait_for(watch.__anext__(), 5)).status == "Awaiting Fulfillment"
        own.book.gate.clear()  # this read never ends: the drain gives up on it
        assert await post(http, own, callback(705, hash_="stuck"), SIGNED) == 200
        await own.webhooks.drain(0.05)
        assert own.webhooks.pending == 0
        watch.close()
    finally:
        own.book.gate.set()
        await own.stop()
