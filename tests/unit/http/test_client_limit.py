"""The per-client limit: the replica's own window, the shared one first, who is counted."""

from __future__ import annotations

from gateway.http.client_limit import (
    ClientRateLimit,
    FixedWindowLimiter,
    client_identity,
    rate_limited_error,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_limit_requests_per_window_then_a_fresh_window() -> None:
    clock = Clock()
    limiter = FixedWindowLimiter(2, 10.0, clock)
    assert [limiter.acquire("a"), limiter.acquire("a")] == [0.0, 0.0]
    clock.now += 4
    assert limiter.acquire("a") == 6.0  # the seconds until its window ends
    assert limiter.acquire("b") == 0.0  # another client: its own window
    clock.now += 6
    assert limiter.acquire("a") == 0.0


def test_memory_stays_bounded_by_forgetting_ended_windows_first() -> None:
    clock = Clock()
    limiter = FixedWindowLimiter(1, 10.0, clock, max_clients=2)
    limiter.acquire("old")
    clock.now += 10
    limiter.acquire("recent")
    assert limiter.acquire("new") == 0.0  # "old"'s window ended: forgotten, room made
    assert limiter.acquire("recent") > 0  # "recent" kept its count
    assert limiter.acquire("flood") == 0.0  # none ended: every window starts afresh
    assert limiter.acquire("recent") == 0.0


class Shared:
    def __init__(self, answer: float | None) -> None:
        self.answer = answer
        self.asked: list[str] = []

    async def wait_for(self, client: str) -> float | None:
        self.asked.append(client)
        return self.answer


async def test_the_shared_limit_judges_first_and_the_replicas_own_when_it_cannot() -> None:
    busy = Shared(2.2)
    limit = ClientRateLimit(1, 60.0, lambda: busy)
    assert await limit.retry_after_s("key") == 3  # whole seconds, rounded up
    assert busy.asked == ["key"]
    assert await ClientRateLimit(1, 60.0, lambda: Shared(0.0)).retry_after_s("key") == 0
    unknown = ClientRateLimit(1, 60.0, lambda: Shared(None))  # Redis did not answer
    assert await unknown.retry_after_s("key") == 0
    assert await unknown.retry_after_s("key") == 60


def test_a_request_counts_against_its_client_key_else_its_address() -> None:
    assert client_identity("key", {"client": ("203.0.113.7", 5000)}) == "key"
    assert client_identity(None, {"client": ("203.0.113.7", 5000)}) == "203.0.113.7"
    assert client_identity(None, {}) == "unknown"
    assert rate_limited_error(3) == {
        "message": "Too many requests from this client; retry later.",
        "extensions": {"code": "RATE_LIMITED", "retryAfterMs": 3000},
    }
