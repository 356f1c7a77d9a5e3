"""Scores of the last mutmut run, per module: killed / (mutants - listed equivalents).

Reads mutmut's results (mutants/**/*.meta) and tests/mutation/equivalent.toml, whose
entries name a mutant and say why it cannot change behaviour. Exit status 1 when a
module is under the floor, so a run can be judged by its status.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tests" / "mutation" / "equivalent.toml"
FLOOR = 90.0
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}  # test failure, timeout, caught by type check
SURVIVED = {0, 5, 33}  # survived, or no test reached it


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return [path.removesuffix(".py").replace("/", ".") for path in config["only_mutate"]]


def glob_for(short: str) -> str:
    """``order_ids`` or ``gateway/domain/order_ids.py`` -> the mutmut name glob of its mutants."""
    wanted = short.removesuffix(".py").replace("/", ".")
    matches = [m for m in modules() if m == wanted or m.endswith("." + wanted)]
    if len(matches) != 1:
        raise SystemExit(f"scripts/mutation: no single module named {short!r} in only_mutate")
    return f"{matches[0]}.*"


def results() -> dict[str, int | None]:
    exit_codes: dict[str, int | None] = {}
    for meta in (ROOT / "mutants").rglob("*.py.meta"):
        for _ in range(20):  # a run in progress rewrites these files
            try:
                exit_codes.update(json.loads(meta.read_text())["exit_code_by_key"])
                break
            except json.JSONDecodeError:
                time.sleep(0.1)
    return exit_codes


def equivalents() -> dict[str, str]:
    if not EQUIVALENT.exists():
        return {}
    entries = tomllib.loads(EQUIVALENT.read_text()).get("mutant", [])
    for entry in entries:
        if not entry.get("reason", "").strip():
            raise SystemExit(f"{EQUIVALENT}: {entry['name']} has no reason")
    return {entry["name"]: entry["reason"] for entry in entries}


def module_of(mutant: str) -> str:
    return mutant.rsplit(".", 1)[0]


def markdown(rows: list[tuple[str, int, int, int, int, float]]) -> None:
    """The table the README records."""
    print("| module | mutants | killed | equivalent | not run | score |")
    print("| --- | --: | --: | --: | --: | --: |")
    for module, total, killed, eq, unchecked, score in rows:
        shown = "not run" if score != score else f"{score:.1f}%"
        path = module.replace(".", "/") + ".py"
        print(f"| `{path}` | {total} | {killed} | {eq} | {unchecked} | {shown} |")


def report(as_markdown: bool = False) -> int:
    exit_codes = results()
    equivalent = equivalents()
    # Only modules mutmut has made mutants of can be checked (none, on a clean clone).
    made = {module_of(k) for k in exit_codes}
    unknown = sorted(k for k in set(equivalent) - set(exit_codes) if module_of(k) in made)
    rows = []
    survivors: list[str] = []
    for module in modules():
        mine = {k: v for k, v in exit_codes.items() if module_of(k) == module}
        eq = [k for k in mine if k in equivalent]
        counted = {k: v for k, v in mine.items() if k not in equivalent}
        killed = sum(1 for v in counted.values() if v in KILLED)
        unchecked = sum(1 for v in counted.values() if v is None)
        alive = sorted(k for k, v in counted.items() if v is not None and v not in KILLED)
        survivors += alive
        checked = len(counted) - unchecked
        score = 100.0 * killed / checked if checked else float("nan")
        rows.append((module, len(mine), killed, len(eq), unchecked, score))
    if as_markdown:
        markdown(rows)
        return 0
    print(f"{'module':40} {'mutants':>7} {'killed':>6} {'equiv':>5} {'unrun':>5} {'score':>6}")
    below = 0
    for module, total, killed, eq, unchecked, score in rows:
        if total and score < FLOOR:
            below += 1
        shown = "-" if score != score else f"{score:5.1f}%"
        print(f"{module:40} {total:7} {killed:6} {eq:5} {unchecked:5} {shown:>6}")
    if survivors:
        print(f"\nnot killed ({len(survivors)}; `.venv/bin/mutmut show NAME` shows one):")
        for name in survivors:
            print(f"  {name}  [{exit_codes[name]}]")
    if not exit_codes:
        print("\nno results yet: `scripts/mutation` runs the mutants")
    if unknown:
        print(f"\n{EQUIVALENT.name} names mutants mutmut did not make: {', '.join(unknown)}")
    return 1 if below or unknown else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--glob", help="print the mutant-name glob of one module and exit")
    parser.add_argument("--markdown", action="store_true", help="print the scores as a table")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="print the non-equivalent mutants that survived or that no test reached",
    )
    args = parser.parse_args()
    if args.glob:
        print(glob_for(args.glob))
        return 0
    if args.survivors:
        equivalent = equivalents()
        for name, code in sorted(results().items()):
            if code in SURVIVED and name not in equivalent:
                print(name)
        return 0
    return report(args.markdown)


if __name__ == "__main__":
    sys.exit(main())
