"""The subscription bench runs end to end at a small size (figures are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_subscription_bench_reaches_every_subscriber(tmp_path: Path) -> None:
    out = tmp_path / "subscriptions.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.subscriptions_ws",
            "--subscriptions",
            "40",
            "--clients",
            "2",
            "--single-rounds",
            "5",
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["subscriptions"] == 40 and result["client_processes"] == 2
    # Every round reached all 40 (a missing frame fails the run), in three rounds.
    assert len(result["fanout_rounds"]) == 3
    assert result["server_rss_mb_with_subscriptions"] > 0


def test_the_subscription_bench_runs_against_the_real_gateway(tmp_path: Path) -> None:
    out = tmp_path / "subscriptions_gateway.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.subscriptions_ws", "--gateway", "--subscriptions", "30",
         "--clients", "2", "--single-rounds", "4", "--output", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["subscriptions"] == 30 and result["server"].startswith("checkout-gateway serve")
    assert len(result["fanout_rounds"]) == 3  # each round reached all 30 (else the run fails)
