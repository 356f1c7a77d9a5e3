"""Order status events across replicas over a real Redis (pub/sub): a hint to one replica
reaches the subscribers of another, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest_asyncio
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.domain.order_events import OrderStatusFeed, OrderStatusSnapshot
from gateway.stores.redis_order_event_bus import RedisOrderEventBus
from tests import live_gateway as live
from tests import needs
from tests.order_store import OrderBook


class Replica:
    def __init__(self, book: OrderBook, redis_url: str) -> None:
        self.redis = Redis.from_url(redis_url)
        self.bus = RedisOrderEventBus(self.redis, "teststore", retry_s=0.05)
        self.feed = OrderStatusFeed(book, self.bus)

    async def close(self) -> None:
        await self.feed.close()
        await self.redis.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def replicas(redis_url: str) -> AsyncIterator[tuple[OrderBook, Replica, Replica]]:
    book = OrderBook()  # the store both replicas read
    a, b = Replica(book, redis_url), Replica(book, redis_url)
    await a.feed.start()
    await b.feed.start()
    yield book, a, b
    await a.close()
    await b.close()


async def test_a_hint_to_replica_a_reaches_a_subscriber_on_replica_b(replicas) -> None:
    book, a, b = replicas
    book.put(801, 0, "Incomplete", 100)
    watch = await b.feed.watch(801)
    assert (await asyncio.wait_for(watch.__anext__(), 5)).status == "Incomplete"
    reads = book.reads
    book.put(801, 11, "Awaiting Fulfillment", 101)
    await a.feed.notify(801, delivery_key="d1")
    assert (await asyncio.wait_for(watch.__anext__(), 5)).status == "Awaiting Fulfillment"
    assert book.reads - reads == 1  # replica A read it; B trusted A's read
    # The same delivery again on A, and A's snapshot again on the channel: nothing new.
    await a.feed.notify(801, delivery_key="d1")
    await a.bus.publish("replica-c", book.orders[801])
    book.put(801, 2, "Shipped", 102)
    await a.feed.notify(801, delivery_key="d2")
    assert (await asyncio.wait_for(watch.__anext__(), 5)).status == "Shipped"
    assert list(watch._pending) == []
    watch.close()


async def test_malformed_messages_on_the_channel_are_ignored(replicas) -> None:
    book, a, b = replicas
    book.put(802, 11, "Awaiting Fulfillment", 100)
    watch = await b.feed.watch(802)
    await asyncio.wait_for(watch.__anext__(), 5)
    for junk in (b"not json", b"[]", b'{"origin": "x", "snapshot": {"order_number": "802"}}'):
        await a.redis.publish(a.bus.channel, junk)
    book.put(802, 2, "Shipped", 101)
    await a.feed.notify(802)
    assert (await asyncio.wait_for(watch.__anext__(), 5)).status == "Shipped"
    watch.close()


async def test_nothing_secret_travels_on_the_channel(replicas, redis_url) -> None:
    book, a, _b = replicas
    book.put(803, 11, "Awaiting Fulfillment", 100, customer_id=5)
    listener = Redis.from_url(redis_url)
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(a.bus.channel)
    try:
        await a.feed.notify(803)
        message = None
        for _ in range(100):
            message = await pubsub.get_message(timeout=0.05)
            if message is not None:
                break
        assert message is not None
        assert set(orjson.loads(message["data"])["snapshot"]) == {
            "order_number",
            "status_id",
            "status",
            "version",
            "customer_id",
        }
    finally:
        await pubsub.aclose()
        await listener.aclose()


async def test_redis_down_at_start_is_subscribed_once_it_answers() -> None:
    """A replica started while Redis is down still starts, and hears others once it is up."""
    binary = needs.redis_server()
    port = live.free_port()
    url = f"redis://127.0.0.1:{port}/0"
    listener = Redis.from_url(url)
    bus = RedisOrderEventBus(listener, "teststore", retry_s=0.05)
    heard: list[int] = []
    unsubscribe = await bus.subscribe(lambda _origin, snapshot: heard.append(snapshot.order_number))
    process = await asyncio.create_subprocess_exec(
        binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    publisher = Redis.from_url(url)
    snapshot = OrderStatusSnapshot(901, 11, "Awaiting Fulfillment", 1, 0).to_message()
    message = orjson.dumps({"origin": "other", "snapshot": snapshot})
    try:
        for _ in range(400):  # Redis starting, then the listener subscribing
            try:
                if await publisher.publish(bus.channel, message):  # a subscriber heard it
                    break
            except (OSError, RedisError):
                pass
            await asyncio.sleep(0.025)
        for _ in range(200):
            if heard:
                break
            await asyncio.sleep(0.025)
        assert heard == [901]
    finally:
        await unsubscribe()
        await listener.aclose()
        await publisher.aclose()
        process.terminate()
        await process.wait()
