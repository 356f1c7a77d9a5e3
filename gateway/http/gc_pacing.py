"""When the cyclic garbage collector's full pass runs, with thousands of connections open.

Why: each open WebSocket subscription is ~100 objects the collector tracks, so with
5,000 open a full (generation 2) pass walks ~590,000 objects: 0.4-1.6 s measured on the
shared bench machine (load 5), where a fan-out to them all takes ~0.5 s. CPython starts
that pass once the objects promoted to the oldest generation since the last one exceed
a quarter of it: after a burst of new subscriptions (issue 17's first round was
1.0-1.8 s, later ones 0.4-0.7 s), and again every few fan-outs, since the temporaries of
5,000 sends in flight are promoted too, even though they die right after.

``QuietCollector`` runs that pass when a burst of new streams is over (none opened for
``quiet_s``; at most ``max_wait_s`` after it was owed, if streams never stop coming),
then freezes what survived (``gc.freeze``): the open connections, which the
interpreter's own passes then skip, so those stay short whatever the fan-out allocates.
Frozen objects that become cyclic garbage (a closed connection's) wait for the next
such pass, which unfreezes everything first: memory is bounded by the churn between
two passes.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable


def collect_and_freeze() -> None:
    """A full pass over everything, the frozen included; what survives is frozen."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class QuietCollector:
    """Counts streams opened since its last pass; once ``burst`` have, or a quarter of
    those open (the interpreter's own rule), and none opened for ``quiet_s`` (at most
    ``max_wait_s`` later), runs one (``collect``: ``collect_and_freeze`` unless a test says)."""

    def __init__(
        self,
        *,
        burst: int = 500,
        quiet_s: float = 0.25,
        max_wait_s: float = 10.0,
        collect: Callable[[], object] = collect_and_freeze,
    ) -> None:
        self.burst = burst
        self.quiet_s = quiet_s
        self.max_wait_s = max_wait_s
        self._due_by: float | None = None  # when the owed pass runs even if streams keep coming
        self._collect = collect
        self._opened = 0
        self._timer: asyncio.TimerHandle | None = None
        self.passes = 0  # passes run here (for tests and curiosity)

    def stream_opened(self, open_streams: int) -> None:
        self._opened += 1
        if self._opened < max(self.burst, open_streams // 4):
            return
        if self._timer is not None:
            self._timer.cancel()  # the burst goes on: wait until it is over
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._due_by is None:
            self._due_by = now + self.max_wait_s
        self._timer = loop.call_later(max(0.0, min(self.quiet_s, self._due_by - now)), self._run)

    def _run(self) -> None:
        self._timer = None
        self._due_by = None
        self._opened = 0
        self.passes += 1
        self._collect()

    def close(self) -> None:
        self._due_by = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
