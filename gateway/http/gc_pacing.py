"""When the cyclic garbage collector's full pass runs, with thousands of connections open.

Why: each open WebSocket subscription is ~100 objects the collector tracks, so with
5,000 open a full (generation 2) pass walks ~600,000 objects: 0.3 s on an idle core,
1.6 s measured on the shared bench machine. CPython starts that pass once the objects
that survived into the oldest generation since the last one exceed a quarter of it, so
after a burst of new subscriptions the pass is owed, and it runs on whatever allocates
next: the first webhook's fan-out (issue 17's first round was 1.0-1.8 s, later ones
0.4-0.7 s). ``QuietCollector`` pays that debt when the burst is over (no new stream for
``quiet_s``), so an event that follows does not pay for it. It changes only *when* a
pass the interpreter would run anyway runs, never what it collects.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable


class QuietCollector:
    """Counts opened streams; once enough have opened since the last full pass (``burst``,
    or a quarter of those open, as the interpreter's own rule) and none for ``quiet_s``,
    runs one (``collect``: ``gc.collect`` unless a test says)."""

    def __init__(
        self,
        *,
        burst: int = 500,
        quiet_s: float = 0.5,
        collect: Callable[[], object] = gc.collect,
    ) -> None:
        self.burst = burst
        self.quiet_s = quiet_s
        self._collect = collect
        self._opened = 0
        self._timer: asyncio.TimerHandle | None = None
        self.passes = 0  # full passes run here (for tests and curiosity)

    def stream_opened(self, open_streams: int) -> None:
        self._opened += 1
        if self._opened < max(self.burst, open_streams // 4):
            return
        if self._timer is not None:
            self._timer.cancel()  # the burst goes on: wait until it is over
        self._timer = asyncio.get_running_loop().call_later(self.quiet_s, self._run)

    def _run(self) -> None:
        self._timer = None
        self._opened = 0
        self.passes += 1
        self._collect()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
