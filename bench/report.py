"""The results: a Markdown table for the README and bench/results/latest.json."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.documents import REPO

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def git_commit() -> str:
    """The commit the benchmark ran on (with ``-dirty`` when the tree has changes)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def http_table(rows: list[dict[str, Any]]) -> str:
    """Scenarios (a), (b), (d): one line per scenario and target."""
    head = (
        "| scenario | target | req/s | p50 ms | p99 ms | CPU s/1k req | peak RSS MB "
        "| vs baseline | +p50 vs direct ms | upstream/req | new upstream conns | errors |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    )
    lines = [head]
    for r in rows:
        ratio = f"{r['ratio_to_baseline']:.2f}x" if r.get("ratio_to_baseline") else "-"
        lines.append(
            f"| {r['scenario']} | {r['target']} | {_f(r['rps'], 0)} | {_f(r['p50_ms'], 2)} "
            f"| {_f(r['p99_ms'], 2)} | {_f(r.get('cpu_s_per_1k'), 3)} "
            f"| {_f(r.get('peak_rss_mb'))} | {ratio} | {_f(r.get('added_p50_ms'), 2)} "
            f"| {_f(r.get('upstream_per_req'), 2)} "
            f"| {_f(r.get('upstream_connections_opened'), 0)} | {r['errors']} |"
        )
    return "\n".join(lines)


def flow_table(rows: list[dict[str, Any]], steps: tuple[str, ...]) -> str:
    """Scenario (c): flows/s, whole-flow latency and each step's p50."""
    step_cols = " | ".join(f"{s} p50" for s in steps)
    head = (
        f"| target | conc | flows/s | flow p50 ms | flow p99 ms | {step_cols} "
        "| CPU s/1k flows | peak RSS MB | upstream/flow | new upstream conns | errors |\n"
        "|---|--:|--:|--:|--:|" + "--:|" * len(steps) + "--:|--:|--:|--:|--:|"
    )
    lines = [head]
    for r in rows:
        step_vals = " | ".join(_f(r["steps"][s]["p50_ms"], 2) for s in steps)
        lines.append(
            f"| {r['target']} | {r['concurrency']} | {_f(r['flows_per_s'], 1)} "
            f"| {_f(r['flow_p50_ms'], 1)} | {_f(r['flow_p99_ms'], 1)} | {step_vals} "
            f"| {_f(r.get('cpu_s_per_1k'), 2)} | {_f(r.get('peak_rss_mb'))} "
            f"| {_f(r.get('upstream_per_req'), 1)} "
            f"| {_f(r.get('upstream_connections_opened'), 0)} | {r['errors']} |"
        )
    return "\n".join(lines)


def write_json(doc: dict[str, Any], path: Path | None = None) -> Path:
    """Write the results atomically (a .tmp file renamed over the old one)."""
    path = path or RESULTS_DIR / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)
    return path
