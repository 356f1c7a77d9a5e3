"""bench/instructions.py counts a gateway's instructions per request (valgrind, when installed)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests import needs

ROOT = Path(__file__).resolve().parents[2]


def test_each_scenario_gets_a_count_from_its_own_dump(tmp_path: Path) -> None:
    needs.valgrind()
    run = subprocess.run(
        [
            sys.executable, "-m", "bench.instructions", "--requests", "3", "--warmup", "1",
            "--flows", "1", "--scenarios", "a,b,typename,flow", "--out", str(tmp_path),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    counts = dict(re.findall(r"^(\w+): ([\d.]+) M instructions per", run.stdout, re.MULTILINE))
    assert set(counts) == {"a", "b", "typename", "flow"}
    # A checkout read does more than the fixed cost, a whole flow more than one read.
    assert float(counts["typename"]) < float(counts["b"]) < float(counts["flow"])
    assert len(list(tmp_path.glob("callgrind.out.*.*"))) == 4  # one dump per scenario
