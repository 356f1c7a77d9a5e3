"""BigCommerce's quota, learnt from its headers over an injected clock: when a request may go."""

from __future__ import annotations

import pytest

from gateway import deadline
from gateway.bigcommerce.errors import UpstreamError
from gateway.bigcommerce.observer import NullObserver
from gateway.bigcommerce.ratelimit import QuotaWindow, RateLimits, rate_limited, wait_or_refuse
from gateway.errors import Effect, ErrorCode
from tests.unit.bigcommerce.clock import FakeClock


def quota(left: int, reset_ms: int) -> dict[str, str]:
    return {"X-Rate-Limit-Requests-Left": str(left), "X-Rate-Limit-Time-Reset-Ms": str(reset_ms)}


def test_an_unknown_quota_never_holds_a_request() -> None:
    window = QuotaWindow(FakeClock())
    assert [window.wait_s() for _ in range(3)] == [0.0, 0.0, 0.0]
    window.observe({"X-Rate-Limit-Requests-Left": "lots", "X-Rate-Limit-Time-Reset-Ms": "10"})
    window.observe({"X-Rate-Limit-Requests-Left": "0"})  # no reset time: not a quota
    assert window.wait_s() == 0.0


@pytest.mark.parametrize(
    ("left", "reset_ms", "waits"),
    [
        ("0", "1500", 1.5),
        ("0.0", "1500.9", 1.5),  # numbers as float() reads them, cut to whole ones
        (" 0 ", "1_500", 1.5),
        ("0", "inf", 0.0),  # no number: not a quota (and no error)
        ("nan", "1500", 0.0),
        ("0", "1.5e3", 1.5),
        ("none", "1500", 0.0),
    ],
)
def test_the_headers_numbers_in_any_spelling_a_number_has(
    left: str, reset_ms: str, waits: float
) -> None:
    window = QuotaWindow(FakeClock())
    window.observe({"X-Rate-Limit-Requests-Left": left, "X-Rate-Limit-Time-Reset-Ms": reset_ms})
    assert window.wait_s() == pytest.approx(waits)


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


class Waits(NullObserver):
    def __init__(self) -> None:
        self.waits: list[tuple[str, float]] = []

    def rate_limit_waited(self, endpoint: str, seconds: float) -> None:
        self.waits.append((endpoint, seconds))


async def test_a_wait_that_fits_the_deadline_is_waited_out_and_reported() -> None:
    limits = RateLimits()  # the real clock: the window resets while the caller waits
    limits.window("api").observe(quota(left=0, reset_ms=20))
    observer = Waits()
    await limits.admit("api", "get_checkout", observer, deadline_s=5.0)
    assert [endpoint for endpoint, _ in observer.waits] == ["get_checkout"]
    assert 0 < observer.waits[0][1] <= 0.02


async def test_a_wait_that_leaves_no_margin_for_the_call_is_refused() -> None:
    observer = Waits()
    with deadline.deadline_in(1.0), pytest.raises(UpstreamError) as caught:
        await wait_or_refuse(0.97, "get_checkout", observer, deadline_s=25.0)
    assert caught.value.extensions == {"retryAfterMs": 970}
    assert observer.waits == []


def test_rate_limited_was_refused_before_acting_and_says_how_long_to_wait() -> None:
    error = rate_limited(0.0004)
    assert (error.code, error.status, error.effect) == (ErrorCode.RATE_LIMITED, 429, Effect.NONE)
    assert error.retry_after_ms == 1 and error.extensions == {"retryAfterMs": 1}
    assert rate_limited(1.5).extensions == {"retryAfterMs": 1500}
    assert error.message == "The store is busy; retry after the indicated wait."
