"""The circuit breaker over an injected clock: what it lets through, refuses and reports."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.bigcommerce.breaker import BreakerState, CircuitBreaker, Outcome
from gateway.bigcommerce.errors import UpstreamError
from gateway.errors import ErrorCode
from gateway.settings import BreakerSettings, ConfigError, Settings
from tests.unit.bigcommerce.clock import FakeClock

S, F, HARD, NEUTRAL = Outcome.SUCCESS, Outcome.FAILURE, Outcome.HARD_DOWN, Outcome.NEUTRAL


def breaker(clock: FakeClock, **settings: Any) -> CircuitBreaker:
    return CircuitBreaker(BreakerSettings(**settings), clock)


def run(b: CircuitBreaker, *outcomes: Outcome) -> list[bool]:
    """Requests admitted one after the other, each ending with its outcome."""
    return [b.record(b.admit(), outcome) for outcome in outcomes]


def state(b: CircuitBreaker) -> BreakerState:
    """Read afresh: mypy keeps ``b.state`` narrowed by an earlier assert across calls."""
    return b.state


def refused(b: CircuitBreaker) -> UpstreamError:
    with pytest.raises(UpstreamError) as caught:
        b.admit()
    assert caught.value.code is ErrorCode.UPSTREAM_UNAVAILABLE
    return caught.value


def retry_after_ms(b: CircuitBreaker) -> int:
    value = refused(b).extensions["retryAfterMs"]
    assert isinstance(value, int)
    return value


def opened(clock: FakeClock, **settings: Any) -> CircuitBreaker:
    """A breaker just opened by hard-down requests (one is enough here)."""
    b = breaker(clock, hard_down_failures=1, **settings)
    run(b, HARD)
    assert b.state is BreakerState.OPEN
    return b


def test_defaults_two_failed_requests_then_recovery_serve_the_next_request() -> None:
    clock = FakeClock()
    b = CircuitBreaker(clock=clock)
    assert run(b, F, F) == [False, False]
    clock.advance(1)
    assert run(b, S) == [False]
    assert b.state is BreakerState.CLOSED


def test_defaults_a_sustained_outage_opens_it() -> None:
    clock = FakeClock()
    b = CircuitBreaker(clock=clock)
    assert run(b, *[F] * 9) == [False] * 9
    assert run(b, F) == [True]  # the tenth request: enough volume, all failed
    assert b.state is BreakerState.OPEN
    refused(b)


def test_below_min_calls_failures_never_open_it() -> None:
    b = breaker(FakeClock(), min_calls=5, failure_rate=0.5)
    run(b, F, F, F, F)
    assert b.state is BreakerState.CLOSED
    b.admit()


def test_a_failure_rate_reaching_the_threshold_opens_it() -> None:
    b = breaker(FakeClock(), min_calls=10, failure_rate=0.5)
    run(b, *[S] * 5, *[F] * 4)
    assert b.state is BreakerState.CLOSED  # 4 of 9: too few requests to judge
    assert run(b, F) == [True]  # 5 of 10 failed
    assert state(b) is BreakerState.OPEN


def test_a_failure_rate_under_the_threshold_keeps_it_closed() -> None:
    b = breaker(FakeClock(), min_calls=10, failure_rate=0.5)
    run(b, *[S] * 6, *[F] * 4, S, F)
    assert b.state is BreakerState.CLOSED  # 5 of 12


def test_old_failures_age_out_of_the_window() -> None:
    clock = FakeClock()
    b = breaker(clock, min_calls=4, failure_rate=0.5, window_s=30)
    run(b, F, F, F)
    clock.advance(31)
    assert run(b, S, F) == [False, False]  # 1 of 2 in the window, not 4 of 5
    assert b.state is BreakerState.CLOSED
    clock.advance(10)
    assert run(b, F, F) == [False, True]  # 3 of 4, all within the last 30 s


def test_failures_within_the_window_add_up() -> None:
    clock = FakeClock()
    b = breaker(clock, min_calls=4, failure_rate=0.75, window_s=30)
    run(b, F, F)
    clock.advance(20)
    assert run(b, S, F) == [False, True]  # 3 of 4


def test_neutral_outcomes_are_not_judged() -> None:
    b = breaker(FakeClock(), min_calls=2, failure_rate=0.5)
    run(b, NEUTRAL, F)
    assert b.state is BreakerState.CLOSED  # one judged request: below the volume
    assert run(b, F) == [True]


def test_hard_down_requests_in_a_row_open_it_below_the_volume() -> None:
    b = breaker(FakeClock(), hard_down_failures=3, min_calls=100)
    assert run(b, HARD, HARD) == [False, False]
    assert run(b, HARD) == [True]
    assert b.state is BreakerState.OPEN


def test_a_success_or_another_failure_breaks_the_hard_down_run() -> None:
    b = breaker(FakeClock(), hard_down_failures=3, min_calls=100)
    run(b, HARD, HARD, S, HARD, HARD, F, HARD, HARD)
    assert b.state is BreakerState.CLOSED


def test_open_refuses_with_the_time_until_half_open() -> None:
    clock = FakeClock()
    b = opened(clock, cooldown_s=10)
    assert retry_after_ms(b) == 10_000
    clock.advance(0.0004)
    assert retry_after_ms(b) == 10_000  # 9999.6 ms, rounded up
    clock.advance(3.9996)
    assert retry_after_ms(b) == 6000
    clock.advance(5.9995)
    assert retry_after_ms(b) == 1  # rounded up: never "retry after 0"
    assert b.state is BreakerState.OPEN


def test_after_the_cooldown_a_successful_probe_closes_it() -> None:
    clock = FakeClock()
    b = opened(clock, cooldown_s=10, half_open_probes=1)
    clock.advance(10)
    assert b.state is BreakerState.HALF_OPEN
    probe = b.admit()
    assert b.record(probe, S) is True
    assert state(b) is BreakerState.CLOSED
    run(b, S, S)


def test_a_failed_probe_opens_it_for_another_cooldown() -> None:
    clock = FakeClock()
    b = opened(clock, cooldown_s=10, half_open_probes=1)
    clock.advance(12)
    probe = b.admit()
    assert b.record(probe, F) is True
    assert b.state is BreakerState.OPEN
    assert retry_after_ms(b) == 10_000


def test_probes_beyond_the_permitted_number_are_refused() -> None:
    clock = FakeClock()
    b = opened(clock, cooldown_s=10, half_open_probes=2)
    clock.advance(10)
    first, second = b.admit(), b.admit()
    assert retry_after_ms(b) == 1000  # both probes are out
    assert b.record(first, S) is False
    refused(b)  # two probes per half-open spell, not two at a time forever
    assert b.record(second, S) is True
    assert b.state is BreakerState.CLOSED
    b.admit()


def test_half_open_refusal_hint_is_at_most_the_cooldown() -> None:
    clock = FakeClock()
    b = opened(clock, cooldown_s=0.25, half_open_probes=1)
    clock.advance(0.25)
    b.admit()
    assert retry_after_ms(b) == 250


def test_a_cancelled_probe_frees_its_place() -> None:
    clock = FakeClock()
    b = opened(clock, cooldown_s=10, half_open_probes=1)
    clock.advance(10)
    probe = b.admit()
    refused(b)
    assert b.record(probe, NEUTRAL) is False
    assert b.state is BreakerState.HALF_OPEN
    assert b.record(b.admit(), S) is True
    assert state(b) is BreakerState.CLOSED


def test_one_failed_probe_reopens_it_while_others_are_out() -> None:
    clock = FakeClock()
    b = opened(clock, cooldown_s=10, half_open_probes=2)
    clock.advance(10)
    first, second = b.admit(), b.admit()
    assert b.record(first, HARD) is True
    assert b.state is BreakerState.OPEN
    assert b.record(second, S) is False  # admitted before it reopened: old news
    assert b.state is BreakerState.OPEN
    clock.advance(10)
    third, fourth = b.admit(), b.admit()  # a new half-open spell: two places again
    assert b.record(third, S) is False  # one of two: the old success did not count
    assert state(b) is BreakerState.HALF_OPEN
    assert b.record(fourth, S) is True
    assert state(b) is BreakerState.CLOSED


def test_a_request_admitted_before_it_opened_does_not_close_it() -> None:
    clock = FakeClock()
    b = breaker(clock, hard_down_failures=1, cooldown_s=10, half_open_probes=1)
    slow, slower = b.admit(), b.admit()
    run(b, HARD)
    clock.advance(10)
    assert b.state is BreakerState.HALF_OPEN
    assert b.record(slow, HARD) is False  # not judged: it would open it again
    assert b.record(slower, S) is False
    assert b.state is BreakerState.HALF_OPEN


def test_closing_starts_afresh() -> None:
    clock = FakeClock()
    b = breaker(
        clock, min_calls=2, failure_rate=0.5, hard_down_failures=2, cooldown_s=1, half_open_probes=1
    )
    assert run(b, S, HARD) == [False, True]  # 1 of 2 failed
    clock.advance(1)
    run(b, S)  # the probe closes it
    assert run(b, HARD) == [False]  # neither the old window nor the old run of refusals counts
    assert b.state is BreakerState.CLOSED


def test_breaker_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GATEWAY_BREAKER_FAILURE_RATE": "0.25",
            "GATEWAY_BREAKER_WINDOW_S": "60",
            "GATEWAY_BREAKER_MIN_CALLS": "20",
            "GATEWAY_BREAKER_HARD_DOWN_FAILURES": "2",
            "GATEWAY_BREAKER_COOLDOWN_S": "5",
            "GATEWAY_BREAKER_HALF_OPEN_PROBES": "4",
        }
    )
    assert settings.breaker == BreakerSettings(
        failure_rate=0.25,
        window_s=60,
        min_calls=20,
        hard_down_failures=2,
        cooldown_s=5,
        half_open_probes=4,
    )
    assert Settings.from_env({}).breaker == BreakerSettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GATEWAY_BREAKER_FAILURE_RATE", "1.5"),
        ("GATEWAY_BREAKER_MIN_CALLS", "0"),
        ("GATEWAY_BREAKER_HALF_OPEN_PROBES", "0"),
        ("GATEWAY_BREAKER_FAILURES", "5"),  # the old setting: refused, not silently ignored
    ],
)
def test_bad_breaker_settings_stop_the_start_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
