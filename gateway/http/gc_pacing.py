"""When the cyclic garbage collector's full pass runs, with thousands of connections open.

Why: each open WebSocket subscription is ~75 objects the collector tracks, so with
5,000 open a full (generation 2) pass walks ~450,000 objects: 1.6 s measured on the
shared bench machine (load 5.3), where a fan-out to them all takes ~0.5 s. CPython
starts that pass once the objects that survived into the oldest generation since the
last one exceed a quarter of it, so after a burst of new subscriptions the pass is
owed, and it runs on whatever allocates next: the first webhook's fan-out (issue 17's
first round was 1.0-1.8 s, later ones 0.4-0.7 s). ``QuietCollector`` pays that debt
when the burst is over (no new stream for ``quiet_s``), so an event that follows does
not pay for it: a pass the interpreter would soon run anyway, run a little earlier, at
a quiet moment; what it collects is the same.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable


class QuietCollector:
    """Counts streams opened since the last full pass (the interpreter's own included);
    once ``burst`` have, or an eighth of those open (the interpreter owes a pass at about
    a quarter: paid before it is due), and none opened for ``quiet_s``, runs one
    (``collect``: ``gc.collect`` unless a test says)."""

    def __init__(
        self,
        *,
        burst: int = 500,
        quiet_s: float = 0.25,
        collect: Callable[[], object] = gc.collect,
    ) -> None:
        self.burst = burst
        self.quiet_s = quiet_s
        self._collect = collect
        self._opened = 0
        self._timer: asyncio.TimerHandle | None = None
        self._watching = False
        self.passes = 0  # full passes run here (for tests and curiosity)

    def stream_opened(self, open_streams: int) -> None:
        if not self._watching:  # registered on first use: nothing global at construction
            gc.callbacks.append(self._on_gc)
            self._watching = True
        self._opened += 1
        if self._opened < max(self.burst, open_streams // 8):
            return
        if self._timer is not None:
            self._timer.cancel()  # the burst goes on: wait until it is over
        self._timer = asyncio.get_running_loop().call_later(self.quiet_s, self._run)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            self._opened = 0  # a full pass ran (ours or the interpreter's): nothing owed

    def _run(self) -> None:
        self._timer = None
        if self._opened == 0:  # the interpreter ran one meanwhile
            return
        self.passes += 1
        self._collect()
        self._opened = 0

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._watching:
            gc.callbacks.remove(self._on_gc)
            self._watching = False
