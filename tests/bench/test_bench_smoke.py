"""The benchmark runs end to end (a short smoke run; figures are not asserted: tests don't time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_runs_every_target_and_the_cached_query_stays_local(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--loadgen",
            "python",
            "--scenarios",
            "a,b",
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads(out.read_text())["results"]
    targets = {(r["scenario"], r["target"]) for r in results}
    assert {("a", "gateway"), ("a", "baseline"), ("a", "direct"), ("b", "gateway")} <= targets
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in results)
    cached = next(r for r in results if (r["scenario"], r["target"]) == ("a", "gateway"))
    assert cached["upstream_requests"] == 0


def test_the_in_process_cpu_bench_answers_every_request() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.asgi_path", "--requests", "20", "--profile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # Each request was checked to answer 200 without errors during its warm-up.
    assert "a cached paymentMethods:" in run.stdout and "{ __typename }:" in run.stdout
    assert "cumulative" in run.stdout  # the profile
