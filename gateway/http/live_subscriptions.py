"""Every open subscription stream of this process, so that a shutdown ends them cleanly.

Why: on SIGTERM uvicorn closes WebSockets with 1012 and cuts streaming responses; the
contract wants 1001 (going away) and the multipart stream's proper end. So before uvicorn
shuts its connections, ``drain`` sets ``closing`` (each WebSocket sends 1001, each
multipart stream writes its last boundary) and waits until they are gone.
``graceful_server.GracefulServer`` calls it; so can any other server loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from gateway.http.gc_pacing import QuietCollector


class SubscriptionObserver(Protocol):
    """Transport-side facts for metrics (wired later); every method is cheap."""

    def connection_refused(self, transport: str, reason: str) -> None: ...
    def subscriptions_changed(self, transport: str, open_subscriptions: int) -> None: ...


class SilentSubscriptionObserver:
    def connection_refused(self, transport: str, reason: str) -> None:
        pass

    def subscriptions_changed(self, transport: str, open_subscriptions: int) -> None:
        pass


class _StreamHeld:
    """``LiveSubscriptions.stream()``: one small object per connection (a
    ``contextlib.contextmanager`` keeps a generator frame alive as long)."""

    __slots__ = ("_live",)

    def __init__(self, live: LiveSubscriptions) -> None:
        self._live = live

    def __enter__(self) -> None:
        self._live._stream_opened()

    def __exit__(self, *_: object) -> None:
        self._live._stream_closed()


class _SubscriptionHeld:
    """``LiveSubscriptions.subscription()``: the gauge up on entry, down on exit."""

    __slots__ = ("_live", "_transport")

    def __init__(self, live: LiveSubscriptions, transport: str) -> None:
        self._live = live
        self._transport = transport

    def __enter__(self) -> None:
        self._live._changed(self._transport, +1)

    def __exit__(self, *_: object) -> None:
        self._live._changed(self._transport, -1)


class LiveSubscriptions:
    def __init__(
        self,
        observer: SubscriptionObserver | None = None,
        *,
        collector: QuietCollector | None = None,
    ) -> None:
        self.closing = asyncio.Event()
        self._collector = collector  # the garbage collector's full pass after a burst
        self.observer = observer or SilentSubscriptionObserver()
        self._open: dict[str, int] = {}
        self._streams = 0
        self._none_open = asyncio.Event()
        self._none_open.set()
        # Called once when the drain begins; cheaper per connection than a task waiting
        # on ``closing`` (thousands of idle WebSockets each holding one).
        self._closers: set[Callable[[], None]] = set()

    def open_subscriptions(self, transport: str) -> int:
        return self._open.get(transport, 0)

    def stream(self) -> _StreamHeld:
        """Held by a connection (one WebSocket, one multipart response) while it is open."""
        return _StreamHeld(self)

    def _stream_opened(self) -> None:
        self._streams += 1
        self._none_open.clear()
        if self._collector is not None:
            self._collector.stream_opened(self._streams)

    def _stream_closed(self) -> None:
        self._streams -= 1
        if self._streams == 0:
            self._none_open.set()

    def on_closing(self, closer: Callable[[], None]) -> Callable[[], None]:
        """Call ``closer`` when the drain begins (at once if it has); returns the undo."""
        if self.closing.is_set():
            closer()
            return lambda: None
        self._closers.add(closer)
        return lambda: self._closers.discard(closer)

    def subscription(self, transport: str) -> _SubscriptionHeld:
        """Held by one running subscription: the open-subscriptions gauge."""
        return _SubscriptionHeld(self, transport)

    def _changed(self, transport: str, delta: int) -> None:
        count = self._open.get(transport, 0) + delta
        self._open[transport] = count
        self.observer.subscriptions_changed(transport, count)

    async def drain(self, timeout_s: float) -> bool:
        """Ask every stream to end, and wait for them (True when all ended in time)."""
        self.closing.set()
        if self._collector is not None:
            self._collector.close()
        closers, self._closers = list(self._closers), set()
        for closer in closers:
            closer()
        try:
            await asyncio.wait_for(self._none_open.wait(), timeout_s)
        except TimeoutError:
            return False
        return True
