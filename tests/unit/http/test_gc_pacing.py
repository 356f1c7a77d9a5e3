"""The garbage collector's full pass runs once a burst of streams is over, not on the next event."""

from __future__ import annotations

import asyncio
import gc

from gateway.http.gc_pacing import QuietCollector
from gateway.http.live_subscriptions import LiveSubscriptions


class Passes:
    """Stands in for ``gc.collect`` where a real pass is not what is checked: counts them."""

    def __init__(self) -> None:
        self.count = 0
        self.ran = asyncio.Event()

    def __call__(self) -> int:
        self.count += 1
        self.ran.set()
        return 0


async def test_a_burst_is_collected_once_when_it_is_over() -> None:
    passes = Passes()
    collector = QuietCollector(burst=3, quiet_s=0.01, collect=passes)
    for open_streams in range(1, 6):
        collector.stream_opened(open_streams)
    await asyncio.wait_for(passes.ran.wait(), 5)
    await asyncio.sleep(0.05)  # a timer re-armed by each open would run a second pass now
    assert passes.count == 1
    assert collector.passes == 1
    collector.close()


async def test_fewer_streams_than_a_burst_run_no_pass() -> None:
    passes = Passes()
    collector = QuietCollector(burst=3, quiet_s=0.01, collect=passes)
    collector.stream_opened(1)
    collector.stream_opened(2)
    await asyncio.sleep(0.05)
    assert passes.count == 0
    collector.close()


async def test_a_burst_is_a_quarter_of_the_open_streams_when_that_is_more() -> None:
    passes = Passes()
    collector = QuietCollector(burst=2, quiet_s=0.01, collect=passes)
    # 40 open: a pass is owed only after 10 more, so 2 new ones run none.
    collector.stream_opened(39)
    collector.stream_opened(40)
    await asyncio.sleep(0.05)
    assert passes.count == 0
    for open_streams in range(41, 61):
        collector.stream_opened(open_streams)
    await asyncio.wait_for(passes.ran.wait(), 5)
    assert passes.count == 1


async def test_streams_that_never_stop_coming_still_get_the_pass() -> None:
    passes = Passes()
    collector = QuietCollector(burst=1, quiet_s=60.0, max_wait_s=0.02, collect=passes)
    open_streams = 0
    while not passes.count and open_streams < 10_000:
        open_streams += 1
        collector.stream_opened(open_streams)  # each one would put the quiet pass off
        await asyncio.sleep(0.001)
    assert passes.count == 1
    collector.close()


async def test_closing_cancels_a_pending_pass() -> None:
    passes = Passes()
    collector = QuietCollector(burst=1, quiet_s=0.01, collect=passes)
    collector.stream_opened(1)
    collector.close()
    collector.close()  # twice: nothing left to cancel
    await asyncio.sleep(0.05)
    assert passes.count == 0


async def test_the_default_pass_is_a_full_collection_that_freezes_the_survivors() -> None:
    generations: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            generations.append(info["generation"])

    collector = QuietCollector(burst=1, quiet_s=0.01)
    survivor = [object()]  # tracked, alive: frozen by the pass
    gc.callbacks.append(seen)
    try:
        collector.stream_opened(1)
        for _ in range(100):
            if collector.passes:
                break
            await asyncio.sleep(0.01)
        assert collector.passes == 1
        assert 2 in generations
        assert gc.get_freeze_count() > 0
        assert not any(o is survivor for o in gc.get_objects())  # frozen: not walked
    finally:
        gc.callbacks.remove(seen)
        collector.close()
        gc.unfreeze()


async def test_live_subscriptions_tell_the_collector_of_each_stream_and_stop_it_on_drain() -> None:
    passes = Passes()
    collector = QuietCollector(burst=2, quiet_s=0.01, collect=passes)
    live = LiveSubscriptions(collector=collector)
    with live.stream(), live.stream():
        await asyncio.wait_for(passes.ran.wait(), 5)
    assert passes.count == 1
    with live.stream(), live.stream():
        assert await live.drain(0.01) is False  # two streams still open
    await asyncio.sleep(0.05)
    assert passes.count == 1  # the drain cancelled the second burst's pass
