"""Live order status: which status changes a subscriber is told about, and when an order is read.

Why this module: BigCommerce's order webhooks arrive late, twice, out of order, and carry
nothing we may trust (anyone can post to the receiver). So a callback is only a *hint*
that an order may have changed: the feed reads the order itself (one read per order,
however many hints arrive at once), and tells subscribers only about a status the order
really moved to. It imports core and domain only; reading orders and carrying events
between replicas are ports (``OrderReader``, ``OrderEventBus``) that adapters implement.

The ordering rule. BigCommerce status ids are not a sequence (Refunded is 4, Shipped 2,
Awaiting Fulfillment 11; an order may go Shipped -> Refunded -> ...), so "back" cannot be
judged from the status. It is judged by the order's own clock: ``version`` is the
order's ``date_modified`` (epoch seconds), which BigCommerce moves on every change.

- a snapshot older than the last one seen (lower version) is dropped: out of order;
- the same version and the same status is dropped: a duplicate;
- a newer version with the same status moves the clock on and tells nobody (another
  field of the order changed);
- a newer version with another status is an event: every subscriber gets it once;
- the same version with *another* status cannot be ordered (two changes within one
  second of ``date_modified``): it is not trusted, the feed reads the order again and
  only that read, made after both were seen, decides.

So a subscriber never sees a status repeat, and never sees one that the order's clock
says is older than what it was shown.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from gateway.domain.models import Order
from gateway.errors import ErrorCode, GatewayError

log = logging.getLogger("gateway.order_events")


@dataclass(frozen=True, slots=True)
class OrderStatusSnapshot:
    """What one read of an order said about its status, and when the order last changed."""

    order_number: int  # BigCommerce's order id
    status_id: int
    status: str  # BigCommerce's status name, e.g. "Awaiting Fulfillment"
    version: int  # the order's date_modified, epoch seconds: grows when the order changes
    customer_id: int  # 0 for a guest order: the subscription checks reachability on it
    # The whole order as that read saw it: a subscription answers the same ``Order`` type
    # as queries (one normalized object in a client's cache), so every field of it must
    # be readable from the event alone. Not compared: the status and version decide.
    order: Order | None = field(default=None, compare=False)

    def to_message(self) -> dict[str, object]:
        message: dict[str, object] = {
            "order_number": self.order_number,
            "status_id": self.status_id,
            "status": self.status,
            "version": self.version,
            "customer_id": self.customer_id,
        }
        if self.order is not None:
            message["order"] = self.order.to_dict()
        return message

    @classmethod
    def from_message(cls, message: dict[str, object]) -> OrderStatusSnapshot:
        """A snapshot from the bus; a malformed message is a ``ValueError``."""

        def number(name: str) -> int:
            value = message.get(name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name} is not an integer")
            return value

        status = message.get("status")
        if not isinstance(status, str):
            raise ValueError("status is not a string")
        order = message.get("order")
        if order is not None and not isinstance(order, dict):
            raise ValueError("order is not an object")
        return cls(
            order_number=number("order_number"),
            status_id=number("status_id"),
            status=status,
            version=number("version"),
            customer_id=number("customer_id"),
            order=_order_from(order) if order is not None else None,
        )


def _order_from(data: dict[str, object]) -> Order:
    try:
        return Order.from_dict(data)
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise ValueError("order is malformed") from error


class OrderReader(Protocol):
    """Reads an order's status from the store (the BigCommerce adapter implements it).

    The snapshot carries the order as read (``order``). Raises ``GatewayError(NOT_FOUND)``
    for an unknown order, other ``GatewayError``s when the store cannot answer.
    """

    async def read_order_status(self, order_number: int) -> OrderStatusSnapshot: ...


class OrderEventBus(Protocol):
    """Carries snapshots to the feeds of every replica (in process, or Redis pub/sub).

    ``publish`` sends one to every subscribed handler, this replica's included;
    ``subscribe`` registers the handler of this replica and returns a function that
    removes it. Handlers are called in the event loop and must not block.
    """

    async def publish(self, origin: str, snapshot: OrderStatusSnapshot) -> None: ...

    async def subscribe(
        self, handler: Callable[[str, OrderStatusSnapshot], None]
    ) -> Callable[[], Awaitable[None]]: ...


class Verdict(Enum):
    EVENT = "event"  # a new status: subscribers are told
    ADVANCED = "advanced"  # newer, same status: nobody is told
    DUPLICATE = "duplicate"
    OUT_OF_ORDER = "out_of_order"
    UNDECIDED = "undecided"  # same version, another status: read again


def judge(last: OrderStatusSnapshot | None, new: OrderStatusSnapshot, *, settles: bool) -> Verdict:
    """The ordering rule of the module docstring; ``settles``: a read made after a tie."""
    if last is None:
        return Verdict.EVENT
    if new.version < last.version:
        return Verdict.OUT_OF_ORDER
    if new.status_id == last.status_id:
        return Verdict.DUPLICATE if new.version == last.version else Verdict.ADVANCED
    if new.version > last.version or settles:
        return Verdict.EVENT
    return Verdict.UNDECIDED


class FeedObserver(Protocol):
    """What the feed reports (metrics are wired to it later); every method is cheap."""

    def hint_received(self) -> None: ...
    def duplicate_dropped(self, reason: str) -> None: ...
    def delivered(self, subscribers: int) -> None: ...
    def order_read_failed(self, code: str) -> None: ...
    def subscriptions_changed(self, open_subscriptions: int) -> None: ...


class SilentFeedObserver:
    def hint_received(self) -> None:
        pass

    def duplicate_dropped(self, reason: str) -> None:
        pass

    def delivered(self, subscribers: int) -> None:
        pass

    def order_read_failed(self, code: str) -> None:
        pass

    def subscriptions_changed(self, open_subscriptions: int) -> None:
        pass


class _Recent:
    """A bounded set of recently seen keys (webhook delivery hashes)."""

    def __init__(self, maxsize: int) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._maxsize = maxsize

    def seen(self, key: str) -> bool:
        """True if ``key`` was seen before; remembers it either way."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self._maxsize:
            self._keys.popitem(last=False)
        return False


class StatusWatch:
    """One subscriber's stream: the current status first, then each change, until closed.

    A slow subscriber's queue is bounded: when it overflows, the oldest pending change
    is dropped (the subscriber still ends on the latest status, never an older one).
    Thousands are open at once, so it holds a plain list and, only while its consumer
    waits, one future (an ``asyncio.Event`` and a ``deque`` cost ~1.5 KB each watch).
    """

    __slots__ = ("_closed", "_feed", "_maxlen", "_pending", "_waiter", "current", "order_number")

    def __init__(self, feed: OrderStatusFeed, order_number: int, maxlen: int) -> None:
        self.order_number = order_number
        self._feed = feed
        self._pending: list[OrderStatusSnapshot] = []
        self._maxlen = maxlen
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self.current: OrderStatusSnapshot | None = None

    def _push(self, snapshot: OrderStatusSnapshot) -> None:
        if not self._closed:
            self._pending.append(snapshot)
            if len(self._pending) > self._maxlen:
                del self._pending[0]
            self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> StatusWatch:
        return self

    async def __anext__(self) -> OrderStatusSnapshot:
        while not self._pending:
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._pending.pop(0)

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._wake()
            self._feed._forget(self)


@dataclass
class _OrderState:
    last: OrderStatusSnapshot | None = None
    watches: set[StatusWatch] = field(default_factory=set)


@dataclass
class _Read:
    """The one read in flight for an order, and whether another must follow it."""

    task: asyncio.Task[OrderStatusSnapshot | None]
    again: bool = False  # a hint came while it ran: the order may have changed since
    settles: bool = False  # the follow-up read settles a tie
    # Started or joined by a hint (or a tie's settling): only then does a read that tells
    # nothing new count as a dropped duplicate; a subscriber's first read is not one.
    hinted: bool = False


class OrderStatusFeed:
    """Per-order latest status, fanned out to this replica's subscribers.

    ``notify`` (a webhook's hint) reads the order (single flight) and publishes what it
    read on the bus; every replica's feed receives it and tells its own subscribers.
    """

    def __init__(
        self,
        reader: OrderReader,
        bus: OrderEventBus,
        observer: FeedObserver | None = None,
        *,
        queue_per_subscriber: int = 16,
        remembered_deliveries: int = 4096,
    ) -> None:
        self._reader = reader
        self._bus = bus
        self._observer = observer or SilentFeedObserver()
        self._queue = queue_per_subscriber
        self._orders: dict[int, _OrderState] = {}
        self._reads: dict[int, _Read] = {}
        self._deliveries = _Recent(remembered_deliveries)
        self._origin = uuid.uuid4().hex  # this replica, so its own bus echoes are skipped
        self._unsubscribe: Callable[[], Awaitable[None]] | None = None
        self._open = 0

    @property
    def open_subscriptions(self) -> int:
        return self._open

    async def start(self) -> None:
        self._unsubscribe = await self._bus.subscribe(self._on_bus)

    async def close(self) -> None:
        if self._unsubscribe is not None:
            await self._unsubscribe()
            self._unsubscribe = None
        reads = [r.task for r in self._reads.values()]
        for task in reads:
            task.cancel()
        await asyncio.gather(*reads, return_exceptions=True)
        for state in list(self._orders.values()):
            for watch in list(state.watches):
                watch.close()

    # --- hints (webhooks) -------------------------------------------------------------

    async def notify(self, order_number: int, delivery_key: str | None = None) -> None:
        """A hint that ``order_number`` may have changed; returns when it was handled.

        ``delivery_key`` identifies one webhook delivery (its ``hash``): the same delivery
        received again is dropped without a read.
        """
        self._observer.hint_received()
        if delivery_key is not None and self._deliveries.seen(delivery_key):
            self._observer.duplicate_dropped("delivery")
            return
        await self._read(order_number, settles=False)

    # --- subscribers -------------------------------------------------------------------

    async def watch(self, order_number: int) -> StatusWatch:
        """A stream of the order's statuses, the current one first (read now).

        Raises the reader's ``GatewayError`` (``NOT_FOUND`` for an unknown order). The
        caller checks reachability on ``watch.current`` before handing the stream out.
        """
        watch = StatusWatch(self, order_number, self._queue)
        state = self._orders.setdefault(order_number, _OrderState())
        state.watches.add(watch)  # before the read: a change during it is not lost
        self._open += 1
        self._observer.subscriptions_changed(self._open)
        try:
            snapshot = await self._read(
                order_number, settles=False, raise_errors=True, hinted=False
            )
            if snapshot is None:  # pragma: no cover - raise_errors makes it raise
                raise GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "The order could not be read.")
            # The first event is the latest status known here (this read, or a newer one
            # that arrived meanwhile), whatever was already delivered to others.
            current = state.last if state.last is not None else snapshot
            watch._pending.clear()
            watch._push(current)
            watch.current = current
        except BaseException:
            watch.close()
            raise
        return watch

    def _forget(self, watch: StatusWatch) -> None:
        state = self._orders.get(watch.order_number)
        if state is None or watch not in state.watches:
            return
        state.watches.discard(watch)
        self._open -= 1
        self._observer.subscriptions_changed(self._open)
        if not state.watches and watch.order_number not in self._reads:
            del self._orders[watch.order_number]  # nobody here cares about it any more

    # --- reads (single flight) ---------------------------------------------------------

    async def _read(
        self, order_number: int, *, settles: bool, raise_errors: bool = False, hinted: bool = True
    ) -> OrderStatusSnapshot | None:
        running = self._reads.get(order_number)
        if running is not None:
            # Joined: the read in flight may have been sent before this hint's change,
            # so one more read follows it (however many hints join meanwhile).
            running.again = True
            running.settles = running.settles or settles
            running.hinted = running.hinted or hinted
            task = running.task
        else:
            task = asyncio.create_task(self._read_loop(order_number, settles))
            self._reads[order_number] = _Read(task, hinted=hinted)
        return await _shielded(task, raise_errors=raise_errors)

    async def _read_loop(self, order_number: int, settles: bool) -> OrderStatusSnapshot | None:
        try:
            while True:
                snapshot = await self._reader.read_order_status(order_number)
                self._apply(snapshot, settles=settles, counted=self._reads[order_number].hinted)
                await self._publish(snapshot)  # other replicas judge it against their own
                current = self._reads[order_number]
                if not current.again:
                    return snapshot
                current.again = False
                settles = current.settles
                current.settles = False
        except GatewayError as error:
            self._observer.order_read_failed(error.code.value)
            raise
        finally:
            self._reads.pop(order_number, None)
            state = self._orders.get(order_number)
            if state is not None and not state.watches:
                del self._orders[order_number]

    async def _publish(self, snapshot: OrderStatusSnapshot) -> None:
        try:
            await self._bus.publish(self._origin, snapshot)
        except Exception:  # the local subscribers were told; other replicas miss it
            log.warning("order event not published to other replicas", exc_info=True)

    # --- events ------------------------------------------------------------------------

    def _on_bus(self, origin: str, snapshot: OrderStatusSnapshot) -> None:
        if origin != self._origin:  # this replica's own reads were applied when read
            self._apply(snapshot, settles=False)

    def _settle(self, order_number: int) -> None:
        task = asyncio.create_task(self._read(order_number, settles=True))
        task.add_done_callback(_log_failure)

    def _apply(
        self, snapshot: OrderStatusSnapshot, *, settles: bool, counted: bool = True
    ) -> Verdict:
        state = self._orders.get(snapshot.order_number)
        if state is None:
            return Verdict.EVENT  # nobody here watches this order: nothing to keep
        verdict = judge(state.last, snapshot, settles=settles)
        if verdict is Verdict.EVENT:
            # The first status known here is each watch's current status, not a change:
            # not a delivery (a later subscriber's current status is none either).
            first = state.last is None
            state.last = snapshot
            for watch in state.watches:
                watch._push(snapshot)
            if not first:
                self._observer.delivered(len(state.watches))
        elif verdict is Verdict.ADVANCED:
            state.last = snapshot
        elif verdict in (Verdict.DUPLICATE, Verdict.OUT_OF_ORDER) and counted:
            self._observer.duplicate_dropped(verdict.value)
        elif verdict is Verdict.UNDECIDED and not settles:
            self._settle(snapshot.order_number)
        return verdict


async def _shielded(
    task: asyncio.Task[OrderStatusSnapshot | None], *, raise_errors: bool
) -> OrderStatusSnapshot | None:
    """Wait for a shared read: one waiter leaving does not cancel it for the others."""
    try:
        return await asyncio.shield(task)
    except GatewayError:
        if raise_errors:
            raise
        return None


def _log_failure(task: asyncio.Task[OrderStatusSnapshot | None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("settling read failed", exc_info=task.exception())


async def statuses(watch: StatusWatch) -> AsyncIterator[OrderStatusSnapshot]:
    """The watch as an async generator that closes it when the consumer leaves."""
    try:
        async for snapshot in watch:
            yield snapshot
    finally:
        watch.close()
