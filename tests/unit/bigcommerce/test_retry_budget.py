"""The retry budget over an injected clock: how many retries it allows, and when."""

from __future__ import annotations

from gateway.bigcommerce.retry_budget import RetryBudget
from tests.unit.bigcommerce.clock import FakeClock


def spend_all(budget: RetryBudget) -> int:
    """Retries taken until the budget refuses one."""
    taken = 0
    while budget.try_spend():
        taken += 1
        assert taken <= 1000, "the budget never ran out"
    return taken


def test_a_full_budget_allows_its_cap_of_retries_then_refuses() -> None:
    budget = RetryBudget(ratio=0.2, min_per_s=2.0, cap=5, clock=FakeClock())
    assert spend_all(budget) == 5
    assert budget.try_spend() is False


def test_time_refills_it_at_the_floor_rate() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0.0, min_per_s=2.0, cap=5, clock=clock)
    spend_all(budget)
    clock.advance(0.4)
    assert budget.try_spend() is False  # 0.8 of a retry
    clock.advance(0.1)
    assert spend_all(budget) == 1
    clock.advance(3600)
    assert spend_all(budget) == 5  # never more than the cap


def test_first_attempts_earn_a_share_of_a_retry() -> None:
    budget = RetryBudget(ratio=0.25, min_per_s=0.0, cap=5, clock=FakeClock())
    spend_all(budget)
    for _ in range(3):
        budget.on_request()
    assert budget.try_spend() is False  # three first attempts: 0.75 of a retry
    budget.on_request()
    assert spend_all(budget) == 1


def test_during_an_outage_retries_stay_a_share_of_the_traffic() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0.2, min_per_s=0.0, cap=5, clock=clock)
    spend_all(budget)
    retries = 0
    for _ in range(100):  # a hundred requests, each wanting a retry
        budget.on_request()
        retries += budget.try_spend()
        clock.advance(0.01)
    assert retries == 20
