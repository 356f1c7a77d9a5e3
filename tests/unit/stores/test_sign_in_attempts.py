"""In-process sign-in failure logs (one replica, no Redis): a sliding window per key."""

from __future__ import annotations

import pytest

from gateway.stores.sign_in_attempts import MemorySignInAttempts, SlidingWindowLog


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_answers_the_wait_until_the_oldest_attempt_leaves() -> None:
    clock = Clock()
    log = SlidingWindowLog(limit=3, window_s=60, clock=clock)
    for step in (0, 10, 20):
        clock.now = 1_000 + step
        assert log.retry_after_s("k") == 0
        log.record("k", f"at-{step}")
    assert log.retry_after_s("k") == pytest.approx(40)  # the first (t=0) leaves at t=60
    clock.now = 1_061
    assert log.retry_after_s("k") == 0
    log.record("k", "at-61")
    assert log.retry_after_s("k") == pytest.approx(9)  # now the t=10 one is the oldest of 3
    log.remove("k", "at-20")
    assert log.retry_after_s("k") == 0


def test_sliding_window_keys_expire_and_are_capped() -> None:
    clock = Clock()
    log = SlidingWindowLog(limit=2, window_s=60, clock=clock, max_keys=100)
    for number in range(1_000):
        log.record(f"spray-{number}", "x")
    assert len(log) == 100
    clock.now += 61
    assert len(log) == 0
    log.record("fresh", "x")
    assert len(log) == 1


async def test_email_and_address_limits_release_and_clear() -> None:
    clock = Clock()
    attempts = MemorySignInAttempts(max_per_email=2, max_per_address=3, window_s=60, clock=clock)
    first = await attempts.begin("jane@example.com", "10.0.0.1")
    second = await attempts.begin("jane@example.com", "10.0.0.2")
    assert first.retry_after_s == second.retry_after_s == 0
    assert first.attempt_id != second.attempt_id
    refused = await attempts.begin("jane@example.com", "10.0.0.9")
    assert refused.retry_after_s == pytest.approx(60)
    await attempts.release(second)  # e.g. BigCommerce did not answer
    assert (await attempts.begin("jane@example.com", "10.0.0.9")).retry_after_s == 0
    await attempts.clear("jane@example.com")
    assert (await attempts.begin("jane@example.com", "10.0.0.9")).retry_after_s == 0
    for email in ("a@x.io", "b@x.io", "c@x.io"):
        assert (await attempts.begin(email, "10.0.0.5")).retry_after_s == 0
    assert (await attempts.begin("new@x.io", "10.0.0.5")).retry_after_s == pytest.approx(60)
    assert (await attempts.begin("new@x.io", "10.0.0.6")).retry_after_s == 0
