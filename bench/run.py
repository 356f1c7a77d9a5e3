"""``python -m bench``: the gateway against the baseline and direct REST, in one run.

Starts the sandbox store, the gateway (production mode) and the baseline as separate
processes, prepares one checkout and one order by driving the flow once, runs the
scenarios, prints a Markdown table and writes bench/results/latest.json. Every process
it started is stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import report, rounds
from bench.flows import (
    STEPS,
    Endpoints,
    FlowError,
    GraphQLFlow,
    Prepared,
    RestFlow,
    prepare,
    prepare_checkout,
    sign_in,
)
from bench.loadgen import wrk_available
from bench.procs import ProcessGroup, machine_info
from bench.scenarios import (
    ALL_SCENARIOS,
    FLOW_SCENARIO,
    HTTP_SCENARIOS,
    SIGNED_IN_SCENARIO,
    UPSTREAM_DELAY_S,
    Settings,
    SignedIn,
    add_comparisons,
    flow_for,
    measure_flows,
    measure_http,
    requests_for,
)
from bench.targets import Sandbox, Server, start_baseline, start_gateway, start_sandbox

ALL_TARGETS = ("gateway", "baseline", "direct")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up before each")
    p.add_argument("--connections", type=int, default=32, help="concurrent connections")
    p.add_argument("--workers", type=int, default=1, help="gateway uvicorn workers")
    p.add_argument(
        "--scenarios", default=",".join(ALL_SCENARIOS), help="comma-separated subset of a,b,c,d,e"
    )
    p.add_argument(
        "--targets", default=",".join(ALL_TARGETS), help="comma-separated gateway,baseline,direct"
    )
    p.add_argument(
        "--flow-concurrency", default="1,32", help="concurrencies of scenario c (comma-separated)"
    )
    p.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument("--sandbox", choices=("auto", "launcher", "cli"), default="auto")
    p.add_argument("--output", type=Path, default=report.RESULTS_DIR / "latest.json")
    p.add_argument(
        "--shopper-token",
        action="store_true",
        help="the gateway's requests of a-d carry signed-in customer 1's X-Shopper-Token",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure the targets of each scenario in N alternating rounds of duration/N "
        "(bench/rounds.py: paired comparisons on a machine whose speed drifts)",
    )
    p.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    args = p.parse_args(argv)
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    if args.quick:
        args.duration, args.warmup = 1.0, 0.2
        args.connections = min(args.connections, 8)
        args.flow_concurrency = "1,4"
    return args


def _csv(value: str, allowed: tuple[str, ...]) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad:
        raise SystemExit(f"unknown {bad}; choose from {','.join(allowed)}")
    return items


def _prepare(gateway: Server | None, sandbox: Sandbox) -> tuple[Prepared, str]:
    """One shopper up to an unpaid order, through the gateway when it runs (its opaque
    order id is what scenario (a) asks for), else straight over REST."""
    if gateway is not None:
        return prepare(flow_for("gateway", gateway, sandbox)), "gateway"
    ep = Endpoints(api_url=sandbox.api_url, payments_url=sandbox.payments_url)
    return prepare(RestFlow(ep)), "direct"


def _sign_in(
    gateway: Server | None, scenarios: list[str], token_everywhere: bool
) -> SignedIn | None:
    """Customer 1 signed in through the gateway, with a checkout of theirs when (e) runs;
    None when nothing needs a token or the gateway is not measured."""
    if gateway is None or not (token_everywhere or SIGNED_IN_SCENARIO in scenarios):
        return None
    token = sign_in(gateway.url)
    checkout_id = None
    if SIGNED_IN_SCENARIO in scenarios:
        ep = Endpoints(graphql_url=gateway.url, shopper_token=token)
        checkout_id = prepare_checkout(GraphQLFlow(ep))
    return SignedIn(token, checkout_id)


def _load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: how busy the shared machine was."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start everything, measure every selected scenario and target, stop everything."""
    scenarios = _csv(args.scenarios, ALL_SCENARIOS)
    targets = _csv(args.targets, ALL_TARGETS)
    use_wrk = args.loadgen == "wrk" or (args.loadgen == "auto" and wrk_available())
    settings = Settings(args.duration, args.warmup, args.connections, use_wrk)
    doc: dict[str, Any] = {
        "commit": report.git_commit(),
        "date": report.utc_now(),
        "machine": machine_info(),
        "loadgen": "wrk" if use_wrk else "python",
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "gateway_workers": args.workers,
            "scenarios": scenarios,
            "targets": targets,
            "quick": args.quick,
            "rounds": args.rounds,
            "shopper_token": args.shopper_token,
        },
        "load_average": {"start": _load_average()},
        "results": [],
        "notes": [],
    }
    rows: list[dict[str, Any]] = doc["results"]
    with ProcessGroup() as pg:
        sandbox = start_sandbox(pg, args.sandbox)
        doc["sandbox"] = sandbox.how
        servers: dict[str, Server] = {}
        pids: dict[str, int] = {"direct": sandbox.pid}
        if "gateway" in targets:
            servers["gateway"] = start_gateway(pg, sandbox, args.workers)
        if "baseline" in targets:
            servers["baseline"] = start_baseline(pg, sandbox)
        pids.update({name: s.pid for name, s in servers.items()})
        prep, prepared_via = _prepare(servers.get("gateway"), sandbox)
        doc["prepared"] = {**prep.__dict__, "via": prepared_via}
        signed_in = _sign_in(servers.get("gateway"), scenarios, args.shopper_token)
        if signed_in is not None:  # the checkout's id only: the token stays in memory
            doc["prepared"]["signed_in_checkout_id"] = signed_in.checkout_id
        shopper_token = signed_in.token if signed_in and args.shopper_token else None

        for scenario in scenarios:
            if scenario == FLOW_SCENARIO:
                for conc in (int(c) for c in args.flow_concurrency.split(",")):
                    for target in ("direct", "gateway"):
                        if target not in targets:
                            continue
                        flow = flow_for(target, servers.get(target), sandbox, shopper_token)
                        _log(f"c: {target} flows at concurrency {conc}")
                        rows.append(
                            measure_flows(
                                target,
                                flow,
                                conc,
                                pids[target],
                                sandbox,
                                settings,
                                servers.get(target),
                            )
                        )
                continue
            if scenario == SIGNED_IN_SCENARIO and signed_in is None:
                doc["notes"].append("e skipped: it signs in through the gateway, not measured")
                continue
            delayed = scenario == "d"
            if delayed and not sandbox.set_delay(UPSTREAM_DELAY_S):
                doc["notes"].append("d skipped: the sandbox was not started by our launcher")
                continue
            try:
                measured = [t for t in ("direct", "baseline", "gateway") if t in targets]
                reqs = {
                    target: requests_for(
                        scenario,
                        target,
                        servers.get(target),
                        sandbox,
                        prep,
                        signed_in,
                        token_everywhere=args.shopper_token,
                    )
                    for target in measured
                }
                runs: dict[str, list[dict[str, Any]]] = {t: [] for t in measured}
                for round_no in range(args.rounds):
                    # Warm-up once per target; later rounds take the same warm process.
                    each = replace(
                        settings,
                        duration=args.duration / args.rounds,
                        warmup=settings.warmup if round_no == 0 else 0.0,
                    )
                    for target in measured:
                        of = f" (round {round_no + 1}/{args.rounds})" if args.rounds > 1 else ""
                        _log(f"{scenario}: {HTTP_SCENARIOS[scenario]} -> {target}{of}")
                        runs[target].append(
                            measure_http(
                                scenario,
                                target,
                                reqs[target],
                                pids[target],
                                sandbox,
                                each,
                                servers.get(target),
                            )
                        )
                rows.extend(rounds.combine(runs[target]) for target in measured)
            finally:
                if delayed:
                    sandbox.set_delay(0)
    doc["load_average"]["end"] = _load_average()
    add_comparisons(rows)
    _check(doc)
    return doc


def _check(doc: dict[str, Any]) -> None:
    """The facts the benchmark promises, recorded (and printed) rather than assumed."""
    checks = doc.setdefault("checks", {})
    signed_in = doc["settings"].get("shopper_token")
    for r in doc["results"]:
        if r["scenario"] == "a" and r["target"] == "gateway":
            if signed_in:  # the document's shopper field reads the customer and the order
                doc["notes"].append(
                    "a with a token: PaymentMethods' shopper { storedInstruments(orderId) } "
                    "reads the customer and the order upstream; zero upstream is a guest's check"
                )
            else:
                checks["a_gateway_upstream_per_req_is_zero"] = r["upstream_requests"] == 0
        key = f"{r['scenario']}_{r['target']}" + (
            f"_c{r['concurrency']}" if r["scenario"] == FLOW_SCENARIO else ""
        )
        checks[f"{key}_no_errors"] = r["errors"] == 0


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def render(doc: dict[str, Any]) -> str:
    """The Markdown that goes into the README."""
    http_rows = [r for r in doc["results"] if r["scenario"] != FLOW_SCENARIO]
    flow_rows = [r for r in doc["results"] if r["scenario"] == FLOW_SCENARIO]
    m = doc["machine"]
    s = doc["settings"]
    out = [
        f"Commit `{doc['commit'][:12]}`, {doc['date']}, {m.get('nproc')} cores "
        f"({m.get('cpu', '?')}), Python {m.get('python')}, load generator {doc['loadgen']}, "
        f"{s['connections']} connections, {s['duration_s']:g} s per run"
        + (
            f" (in {s['rounds']} alternating rounds; +p50 vs direct: the median of their "
            "paired differences)"
            if s.get("rounds", 1) > 1
            else ""
        )
        + ", "
        f"gateway workers {s['gateway_workers']}"
        + (
            ", customer 1's X-Shopper-Token on every gateway request"
            if s.get("shopper_token")
            else ""
        )
        + f"; load average {_loads(doc)}.",
        "",
    ]
    if http_rows:
        names = ", ".join(f"({k}) {v}" for k, v in HTTP_SCENARIOS.items())
        out += [f"Scenarios {names}.", "", report.http_table(http_rows), ""]
    if flow_rows:
        out += [
            "(c) full checkout flow per shopper (direct = the same REST calls):",
            "",
            report.flow_table(flow_rows, STEPS),
            "",
        ]
    failed = [k for k, v in doc.get("checks", {}).items() if not v]
    out.append("Checks: " + ("all passed" if not failed else "FAILED " + ", ".join(failed)))
    out += [f"Note: {n}" for n in doc.get("notes", [])]
    return "\n".join(out)


def _loads(doc: dict[str, Any]) -> str:
    """The machine's 1-minute load average at the start and the end of the run."""
    loads = doc.get("load_average", {})
    return " -> ".join(
        "?" if loads.get(k) is None else f"{loads[k][0]:.2f}" for k in ("start", "end")
    )


def time_limit(args: argparse.Namespace) -> int:
    """A hard bound on the whole run: start-up, plus every measurement with slack."""
    runs = 12 + 2 * len(args.flow_concurrency.split(","))
    return int(120 + runs * (args.duration + args.warmup + 20 + 5 * args.rounds))


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeoutError("the benchmark ran past its time limit")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every check passed, 1 when one failed, 2 on a crash."""
    args = parse_args(argv)
    started = time.monotonic()
    # Whatever hangs (a server that never answers, a stuck flow), the run ends and the
    # ProcessGroup stops what it started.
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(time_limit(args))
    try:
        doc = run(args)
    except KeyboardInterrupt:
        _log("interrupted; every process was stopped")
        return 130
    except (RuntimeError, TimeoutError, FlowError, OSError) as exc:
        traceback.print_exc()
        _log(f"failed: {exc}")
        return 2
    finally:
        signal.alarm(0)
    doc["elapsed_s"] = round(time.monotonic() - started, 1)
    path = report.write_json(doc, args.output)
    print(render(doc))
    _log(f"results written to {path} in {doc['elapsed_s']} s")
    return 0 if all(doc.get("checks", {}).values()) else 1


if __name__ == "__main__":
    sys.exit(main())
