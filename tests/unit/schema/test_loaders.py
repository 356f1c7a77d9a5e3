"""The per-request memo behind root reads and ``_entities``: one fetch per key, failures alone."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from gateway.schema.loaders import OncePerKey


class Reads:
    """A fetch that records its calls and how many run at once."""

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.calls: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self.failing = failing

    async def __call__(self, key: str) -> str:
        self.calls.append(key)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            for _ in range(3):  # in flight across loop turns, as an upstream call is
                await asyncio.sleep(0)
            if key in self.failing:
                raise LookupError(key)
            return key.upper()
        finally:
            self.running -= 1


async def test_reads_of_one_key_share_one_fetch() -> None:
    reads = Reads()
    memo: OncePerKey[str, str] = OncePerKey(reads)
    together = await asyncio.gather(memo.load("a"), memo.load("a"), memo.load("b"))
    later = await memo.load("a")
    assert list(together) == ["A", "A", "B"] and later == "A"
    assert sorted(reads.calls) == ["a", "b"]


async def test_distinct_keys_are_fetched_concurrently() -> None:
    reads = Reads()
    memo: OncePerKey[str, str] = OncePerKey(reads)
    assert await asyncio.gather(*(memo.load(k) for k in "abc")) == ["A", "B", "C"]
    assert reads.most_at_once == 3


async def test_a_failure_is_its_own_keys_and_shared_by_its_readers() -> None:
    reads = Reads(failing=frozenset({"bad"}))
    memo: OncePerKey[str, str] = OncePerKey(reads)
    got = await asyncio.gather(
        memo.load("bad"), memo.load("good"), memo.load("bad"), return_exceptions=True
    )
    assert isinstance(got[0], LookupError) and got[2] is got[0]
    assert got[1] == "GOOD"
    with pytest.raises(LookupError):
        await memo.load("bad")  # remembered, not fetched again
    assert sorted(reads.calls) == ["bad", "good"]


async def test_a_lone_failed_read_is_not_reported_as_never_retrieved() -> None:
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        memo: OncePerKey[str, str] = OncePerKey(Reads(failing=frozenset({"bad"})))
        with pytest.raises(LookupError):
            await memo.load("bad")
        del memo
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert reported == []


async def test_a_cancelled_first_read_cancels_its_sharers_and_a_later_read_fetches_again() -> None:
    reads = Reads()
    memo: OncePerKey[str, str] = OncePerKey(reads)
    first = asyncio.ensure_future(memo.load("a"))
    sharer = asyncio.ensure_future(memo.load("a"))
    await asyncio.sleep(0)  # the first read is in flight
    first.cancel()
    outcomes = await asyncio.gather(first, sharer, return_exceptions=True)
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
    assert await memo.load("a") == "A"
    assert reads.calls == ["a", "a"]
