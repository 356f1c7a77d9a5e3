"""The order status feed: dedupe, ordering by the order's clock, single-flight reads."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from gateway.domain.models import Money, Order
from gateway.domain.order_events import (
    OrderStatusFeed,
    OrderStatusSnapshot,
    StatusWatch,
    Verdict,
    judge,
)
from gateway.errors import GatewayError
from gateway.stores.order_event_bus import InProcessOrderEventBus
from tests.order_store import OrderBook

PENDING, AWAITING_FULFILLMENT, SHIPPED = 1, 11, 2


class CountingObserver:
    def __init__(self) -> None:
        self.hints = 0
        self.dropped: list[str] = []
        self.deliveries = 0
        self.open = 0

    def hint_received(self) -> None:
        self.hints += 1

    def duplicate_dropped(self, reason: str) -> None:
        self.dropped.append(reason)

    def delivered(self, subscribers: int) -> None:
        self.deliveries += subscribers

    def order_read_failed(self, code: str) -> None:
        pass

    def subscriptions_changed(self, open_subscriptions: int) -> None:
        self.open = open_subscriptions


async def next_within(watch: StatusWatch, seconds: float = 2.0) -> OrderStatusSnapshot:
    return await asyncio.wait_for(watch.__anext__(), seconds)


def pending(watch: StatusWatch) -> list[OrderStatusSnapshot]:
    return list(watch._pending)


async def feed_of(book: OrderBook, observer: CountingObserver | None = None) -> OrderStatusFeed:
    feed = OrderStatusFeed(book, InProcessOrderEventBus(), observer)
    await feed.start()
    return feed


def snap(status_id: int, version: int, status: str = "s") -> OrderStatusSnapshot:
    return OrderStatusSnapshot(7, status_id, status, version, 0)


def test_the_rule_orders_by_the_orders_clock_not_by_status_ids() -> None:
    last = snap(SHIPPED, 100)
    assert judge(None, last, settles=False) is Verdict.EVENT
    # Refunded (4) after Shipped (2): a higher id, but what matters is the clock.
    assert judge(last, snap(4, 101), settles=False) is Verdict.EVENT
    assert judge(last, snap(AWAITING_FULFILLMENT, 99), settles=False) is Verdict.OUT_OF_ORDER
    assert judge(last, snap(SHIPPED, 100), settles=False) is Verdict.DUPLICATE
    assert judge(last, snap(SHIPPED, 105), settles=False) is Verdict.ADVANCED
    assert judge(last, snap(4, 100), settles=False) is Verdict.UNDECIDED
    assert judge(last, snap(4, 100), settles=True) is Verdict.EVENT


async def test_a_watch_starts_with_the_current_status_then_each_change() -> None:
    book = OrderBook()
    book.put(7, PENDING, "Pending", 100)
    feed = await feed_of(book)
    watch = await feed.watch(7)
    assert watch.current is not None and watch.current.status == "Pending"
    assert (await next_within(watch)).status == "Pending"
    book.put(7, AWAITING_FULFILLMENT, "Awaiting Fulfillment", 101)
    await feed.notify(7)
    assert (await next_within(watch)).status == "Awaiting Fulfillment"
    book.put(7, SHIPPED, "Shipped", 102)
    await feed.notify(7)
    assert (await next_within(watch)).status == "Shipped"
    watch.close()
    with pytest.raises(StopAsyncIteration):
        await next_within(watch)
    await feed.close()


async def test_fifty_duplicate_callbacks_cause_one_read_and_no_repeated_event() -> None:
    book = OrderBook()
    book.put(7, PENDING, "Pending", 100)
    observer = CountingObserver()
    feed = await feed_of(book, observer)
    watch = await feed.watch(7)
    assert (await next_within(watch)).status == "Pending"
    reads_before = book.reads
    book.put(7, AWAITING_FULFILLMENT, "Awaiting Fulfillment", 101)
    await asyncio.gather(*(feed.notify(7, delivery_key="hash-1") for _ in range(50)))
    assert book.reads - reads_before == 1
    assert observer.hints == 50 and observer.dropped.count("delivery") == 49
    assert (await next_within(watch)).status == "Awaiting Fulfillment"
    assert pending(watch) == []
    await feed.close()


async def test_hints_during_a_read_share_it_and_cause_one_more_read_not_fifty() -> None:
    book = OrderBook()
    book.put(7, PENDING, "Pending", 100)
    feed = await feed_of(book)
    watch = await feed.watch(7)
    await next_within(watch)
    reads_before = book.reads
    book.gate.clear()  # the first read hangs: every other hint arrives while it is out
    first = asyncio.create_task(feed.notify(7, delivery_key="a"))
    await asyncio.sleep(0)
    book.put(7, AWAITING_FULFILLMENT, "Awaiting Fulfillment", 101)
    others = [asyncio.create_task(feed.notify(7, delivery_key=f"k{i}")) for i in range(49)]
    await asyncio.sleep(0)
    book.gate.set()
    await asyncio.gather(first, *others)
    # The read in flight may predate the change: exactly one follow-up read, not 49.
    assert book.reads - reads_before == 2
    assert (await next_within(watch)).status == "Awaiting Fulfillment"
    assert pending(watch) == []
    await feed.close()


async def test_out_of_order_and_duplicate_bus_deliveries_change_nothing() -> None:
    book = OrderBook()
    book.put(7, AWAITING_FULFILLMENT, "Awaiting Fulfillment", 101)
    observer = CountingObserver()
    bus = InProcessOrderEventBus()
    feed = OrderStatusFeed(book, bus, observer)
    await feed.start()
    watch = await feed.watch(7)
    await next_within(watch)
    other_replica = "another-replica"
    await bus.publish(other_replica, OrderStatusSnapshot(7, PENDING, "Pending", 100, 0))
    await bus.publish(
        other_replica, OrderStatusSnapshot(7, AWAITING_FULFILLMENT, "Awaiting Fulfillment", 101, 0)
    )
    assert pending(watch) == []
    assert observer.dropped == ["out_of_order", "duplicate"]
    await bus.publish(other_replica, OrderStatusSnapshot(7, SHIPPED, "Shipped", 102, 0))
    assert (await next_within(watch)).status == "Shipped"
    await feed.close()


async def test_a_tie_on_the_clock_is_settled_by_reading_the_order_again() -> None:
    book = OrderBook()
    book.put(7, AWAITING_FULFILLMENT, "Awaiting Fulfillment", 101)
    bus = InProcessOrderEventBus()
    feed = OrderStatusFeed(book, bus)
    await feed.start()
    watch = await feed.watch(7)
    await next_within(watch)
    reads_before = book.reads
    # Another replica read a status in the same second; the store still says the first.
    await bus.publish("other", OrderStatusSnapshot(7, SHIPPED, "Shipped", 101, 0))
    for _ in range(100):
        if book.reads > reads_before and not feed._reads:
            break
        await asyncio.sleep(0.01)
    assert book.reads == reads_before + 1
    assert pending(watch) == []  # the read said Awaiting Fulfillment: nothing new
    # The same tie when the store agrees with it: the settling read makes it an event.
    book.put(7, PENDING, "Pending", 101)
    await bus.publish("other", OrderStatusSnapshot(7, PENDING, "Pending", 101, 0))
    assert (await next_within(watch)).status == "Pending"
    await feed.close()


async def test_an_unknown_order_is_not_found_and_leaves_no_subscriber() -> None:
    observer = CountingObserver()
    feed = await feed_of(OrderBook(), observer)
    with pytest.raises(GatewayError) as raised:
        await feed.watch(404)
    assert raised.value.code.value == "NOT_FOUND"
    assert feed.open_subscriptions == 0 and observer.open == 0
    assert feed._orders == {}
    await feed.close()


async def test_subscribers_are_counted_and_forgotten_when_they_leave() -> None:
    book = OrderBook()
    book.put(7, PENDING, "Pending", 100)
    observer = CountingObserver()
    feed = await feed_of(book, observer)
    watches = [await feed.watch(7) for _ in range(3)]
    assert observer.open == 3
    assert observer.deliveries == 0  # each was handed the current status: no change yet
    assert observer.dropped == []  # and a subscriber's first read is no duplicate
    await feed.notify(7)  # a hint, the order unchanged: that read is one
    assert observer.dropped == ["duplicate"]
    book.put(7, SHIPPED, "Shipped", 101)
    await feed.notify(7)
    assert observer.deliveries == 3  # one change, once per subscriber
    for watch in watches:
        await watch.aclose()
    assert observer.open == 0 and feed._orders == {}
    await feed.close()


ORDER = Order("ord_x", 7, "Shipped", 2, "Paid", Money(Decimal("49.90"), "USD"), 3, "cart-1")


def test_a_snapshot_crosses_the_bus_with_its_order() -> None:
    snapshot = OrderStatusSnapshot(7, 2, "Shipped", 1_800_000_000, 3, ORDER)
    back = OrderStatusSnapshot.from_message(snapshot.to_message())
    assert back == snapshot and back.order == ORDER
    bare = OrderStatusSnapshot(7, 2, "Shipped", 1, 3)
    assert OrderStatusSnapshot.from_message(bare.to_message()).order is None
    assert "order" not in bare.to_message()


@pytest.mark.parametrize("order", [[], {"id": "x"}, {**ORDER.to_dict(), "total": ["NaN?", "USD"]}])
def test_a_malformed_order_on_the_bus_is_a_value_error(order: object) -> None:
    message = {**OrderStatusSnapshot(7, 2, "Shipped", 1, 3).to_message(), "order": order}
    with pytest.raises(ValueError):
        OrderStatusSnapshot.from_message(message)
