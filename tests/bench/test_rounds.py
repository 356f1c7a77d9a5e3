"""bench/rounds.py: a target's rounds make one row, and the added p50 is paired by round."""

from __future__ import annotations

from typing import Any

from bench.rounds import added_p50, combine


def run(p50: float, requests: int, cpu_s: float, upstream: int | None = 1) -> dict[str, Any]:
    return {
        "scenario": "b",
        "target": "gateway",
        "tool": "wrk",
        "connections": 1,
        "duration_s": 2.0,
        "requests": requests,
        "errors": 0,
        "rps": requests / 2.0,
        "p50_ms": p50,
        "p90_ms": p50 * 2,
        "p99_ms": p50 * 3,
        "mean_ms": p50,
        "max_ms": p50 * 10,
        "cpu_s": cpu_s,
        "cpu_s_per_1k": cpu_s / requests * 1000,
        "sandbox_cpu_s": 0.5,
        "upstream_requests": upstream,
        "upstream_per_req": None if upstream is None else upstream / requests,
        "upstream_connections_opened": 0,
        "peak_rss_mb": 60.0 + p50,
    }


def test_one_round_is_the_row_itself() -> None:
    only = run(1.0, 1000, 1.0)
    assert combine([only]) is only


def test_rounds_are_summed_and_their_percentiles_are_medians() -> None:
    row = combine([run(1.0, 1000, 1.0, 1000), run(3.0, 500, 1.5, 500), run(2.0, 1500, 1.5, 1500)])
    assert row["requests"] == 3000 and row["duration_s"] == 6.0
    assert row["rps"] == 500.0
    assert row["cpu_s_per_1k"] == 4.0 / 3000 * 1000
    assert row["upstream_per_req"] == 1.0
    assert row["p50_ms"] == 2.0 and row["p99_ms"] == 6.0
    assert row["max_ms"] == 30.0 and row["peak_rss_mb"] == 63.0
    assert [r["p50_ms"] for r in row["rounds"]] == [1.0, 3.0, 2.0]


def test_an_unknown_upstream_count_in_any_round_is_unknown() -> None:
    row = combine([run(1.0, 1000, 1.0, 1000), run(1.0, 1000, 1.0, None)])
    assert row["upstream_requests"] is None and row["upstream_per_req"] is None


def test_the_added_p50_is_the_median_of_paired_differences() -> None:
    # The machine slowed in round 2: both targets moved, the difference did not.
    direct = combine([run(0.4, 1000, 0.4), run(0.8, 500, 0.4), run(0.4, 1000, 0.4)])
    gateway = combine([run(1.1, 900, 0.9), run(1.5, 600, 0.9), run(1.0, 900, 0.9)])
    assert round(added_p50(gateway, direct), 6) == 0.7
    # Unpaired (medians of each target alone) it would read 1.1 - 0.4.
    assert gateway["p50_ms"] - direct["p50_ms"] == 1.1 - 0.4


def test_without_rounds_the_added_p50_is_the_plain_difference() -> None:
    assert added_p50(run(1.25, 10, 0.1), run(0.5, 10, 0.1)) == 0.75
