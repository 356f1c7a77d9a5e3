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
            "--rounds",
            "2",
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
    # Two alternating rounds per target, one row each, the added p50 paired by round.
    assert all(len(r["rounds"]) == 2 for r in results)
    assert all(r["added_p50_ms"] is not None for r in results)


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


def test_quick_bench_signs_in_and_keeps_the_token_out_of_the_results(tmp_path: Path) -> None:
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
            "b,e",
            "--targets",
            "gateway,direct",
            "--shopper-token",
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    doc = json.loads(out.read_text())
    results = doc["results"]
    targets = {(r["scenario"], r["target"]) for r in results}
    assert targets == {("b", "gateway"), ("b", "direct"), ("e", "gateway"), ("e", "direct")}
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in results)
    assert doc["settings"]["shopper_token"] is True
    assert doc["prepared"]["signed_in_checkout_id"] not in (None, doc["prepared"]["checkout_id"])
    assert len(doc["load_average"]["start"]) == 3
    # The signed-in shopper's token is a credential: no JWT in the results or the table.
    assert "eyJ" not in out.read_text() and "eyJ" not in run.stdout
