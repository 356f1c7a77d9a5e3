"""Alternating rounds: each target measured in turns, so that a comparison is paired.

Why: on a shared or virtual machine the speed of the same work drifts over seconds (on
this one, direct REST's p50 for one checkout read moved between 0.40 and 0.78 ms from one
10 s run to the next, its CPU per request by half as much). Measured one after the other,
direct REST and the gateway can land on different sides of such a drift, and the p50 the
gateway "adds" then measures the drift. With ``--rounds N`` every target of a scenario is
measured N times in turn (direct, baseline, gateway, direct, ...) for ``duration / N``
each; a target's row is the N runs together, and the p50 added over direct REST is the
median of the N paired differences (each round's gateway p50 minus that round's direct
p50), which a drift between rounds does not move.
"""

from __future__ import annotations

import statistics
from typing import Any

# Summed over the rounds; the rates and per-request figures are recomputed from them.
_SUMMED = ("requests", "errors", "duration_s", "cpu_s", "sandbox_cpu_s")
_COUNTED = ("upstream_requests", "upstream_connections_opened")
# Latency percentiles of a target: the median of its rounds' figures.
_MEDIAN = ("p50_ms", "p90_ms", "p99_ms", "mean_ms")


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row for one target of one scenario from its rounds' rows (in round order)."""
    if len(runs) == 1:
        return runs[0]
    row = dict(runs[-1])
    for key in _SUMMED:
        row[key] = sum(r[key] for r in runs)
    for key in _COUNTED:
        values = [r.get(key) for r in runs]
        row[key] = None if any(v is None for v in values) else sum(values)
    for key in _MEDIAN:
        row[key] = statistics.median(r[key] for r in runs)
    row["max_ms"] = max(r["max_ms"] for r in runs)
    row["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    n = max(row["requests"], 1)
    row["rps"] = row["requests"] / row["duration_s"] if row["duration_s"] else 0.0
    row["cpu_s_per_1k"] = row["cpu_s"] / n * 1000
    up = row["upstream_requests"]
    row["upstream_per_req"] = None if up is None else up / n
    row["rounds"] = [{"p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"], "rps": r["rps"]} for r in runs]
    return row


def added_p50(row: dict[str, Any], direct: dict[str, Any]) -> float:
    """The p50 a target adds over direct REST: paired by round when both have rounds."""
    mine, theirs = row.get("rounds"), direct.get("rounds")
    if mine and theirs and len(mine) == len(theirs):
        pairs = zip(mine, theirs, strict=True)
        return float(statistics.median(m["p50_ms"] - t["p50_ms"] for m, t in pairs))
    return float(row["p50_ms"] - direct["p50_ms"])
