"""BigCommerce's quota, learnt from its headers over an injected clock: when a request may go."""

from __future__ import annotations

import pytest

from gateway.bigcommerce.errors import UpstreamError
from gateway.bigcommerce.observer import NullObserver
from gateway.bigcommerce.ratelimit import QuotaWindow, RateLimits
from gateway.errors import ErrorCode
from tests.unit.bigcommerce.clock import FakeClock


def quota(left: int, reset_ms: int) -> dict[str, str]:
    return {"X-Rate-Limit-Requests-Left": str(left), "X-Rate-Limit-Time-Reset-Ms": str(reset_ms)}


def test_an_unknown_quota_never_holds_a_request() -> None:
    window = QuotaWindow(FakeClock())
    assert [window.wait_s() for _ in range(3)] == [0.0, 0.0, 0.0]
    window.observe({"X-Rate-Limit-Requests-Left": "lots", "X-Rate-Limit-Time-Reset-Ms": "10"})
    window.observe({"X-Rate-Limit-Requests-Left": "0"})  # no reset time: not a quota
    assert window.wait_s() == 0.0


def test_the_requests_left_go_out_then_the_next_waits_for_the_reset() -> None:
    clock = FakeClock()
    window = QuotaWindow(clock)
    window.observe(quota(left=2, reset_ms=1000))
    assert [window.wait_s(), window.wait_s()] == [0.0, 0.0]
    assert window.wait_s() == pytest.approx(1.0)
    clock.advance(0.4)
    assert window.wait_s() == pytest.approx(0.6)


def test_a_new_window_after_the_reset_lets_requests_go() -> None:
    clock = FakeClock()
    window = QuotaWindow(clock)
    window.observe(quota(left=0, reset_ms=500))
    assert window.wait_s() == pytest.approx(0.5)
    clock.advance(0.5)
    assert [window.wait_s() for _ in range(3)] == [0.0, 0.0, 0.0]


def test_each_host_has_its_own_window() -> None:
    limits = RateLimits(FakeClock())
    limits.window("api").observe(quota(left=0, reset_ms=2000))
    assert limits.window("payments").wait_s() == 0.0
    assert limits.window("api").wait_s() == pytest.approx(2.0)


async def test_a_spent_quota_past_the_deadline_is_rate_limited_with_the_wait() -> None:
    limits = RateLimits(FakeClock())
    limits.window("api").observe(quota(left=0, reset_ms=5000))
    with pytest.raises(UpstreamError) as caught:
        await limits.admit("api", "get_checkout", NullObserver(), deadline_s=1.0)
    assert caught.value.code is ErrorCode.RATE_LIMITED
    assert caught.value.extensions["retryAfterMs"] == 5000


async def test_a_quota_with_requests_left_admits_at_once() -> None:
    limits = RateLimits(FakeClock())
    limits.window("api").observe(quota(left=1, reset_ms=5000))
    await limits.admit("api", "get_checkout", NullObserver(), deadline_s=1.0)
    with pytest.raises(UpstreamError):  # that one was the last
        await limits.admit("api", "get_checkout", NullObserver(), deadline_s=1.0)
