"""The scenarios: what each target is sent, and measuring one target under load.

(a) cached ``paymentMethods`` for one prepared order, (b) the ``checkout`` query (one
upstream GET), (c) whole checkout flows per shopper, (d) (b) with every upstream answer
delayed by 50 ms, (e) the ``checkout`` query of a signed-in shopper's own checkout (their
X-Shopper-Token on every request). Targets: the gateway, the baseline, and direct REST to
the sandbox. With ``--shopper-token`` the gateway's requests of (a)-(d) carry the token too.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bench import rounds
from bench.documents import operation_document
from bench.flows import (
    Endpoints,
    Flow,
    GraphQLFlow,
    Prepared,
    RestFlow,
    run_flows,
    shopper_headers,
)
from bench.loadgen import HttpRequest, run_load, run_python
from bench.procs import cpu_delta, tree_cpu_seconds, tree_peak_rss_mb
from bench.targets import TOKEN, Sandbox, Server

HTTP_SCENARIOS = {
    "a": "cached paymentMethods",
    "b": "checkout query",
    "d": "checkout query, upstream +50 ms",
    "e": "signed-in checkout query",
}
FLOW_SCENARIO = "c"
SIGNED_IN_SCENARIO = "e"
ALL_SCENARIOS = ("a", "b", "c", "d", "e")
UPSTREAM_DELAY_S = 0.05


@dataclass
class Settings:
    """How long and how hard each measurement runs."""

    duration: float
    warmup: float
    connections: int
    use_wrk: bool


def graphql_request(
    url: str,
    operation: str,
    variables: dict[str, Any],
    baseline: bool = False,
    shopper_token: str | None = None,
) -> HttpRequest:
    """POST one operation of checkout-flow.graphql; a body with "errors" counts as an error.

    The baseline has no shopper identity: its documents leave the ``shopper`` field out.
    ``shopper_token`` goes in X-Shopper-Token (a signed-in shopper's request)."""
    without = ("shopper",) if baseline else ()
    body = {"query": operation_document(operation, without), "variables": variables}
    body["operationName"] = operation
    return HttpRequest(
        "POST",
        url,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **shopper_headers(shopper_token)},
        bad_needle=b'"errors"',
    )


def rest_get(sandbox: Sandbox, path: str) -> HttpRequest:
    """The upstream GET itself, as the gateway sends it."""
    headers = {"X-Auth-Token": TOKEN, "Accept": "application/json"}
    return HttpRequest("GET", f"{sandbox.api_url}/stores/sandbox/v3{path}", None, headers)


@dataclass(frozen=True)
class SignedIn:
    """Customer 1 signed in through the gateway: the token (memory only) and their checkout."""

    token: str
    checkout_id: str | None = None


def requests_for(
    scenario: str,
    target: str,
    server: Server | None,
    sandbox: Sandbox,
    prep: Prepared,
    signed_in: SignedIn | None = None,
    token_everywhere: bool = False,
) -> HttpRequest:
    """The one request a target is sent again and again in an HTTP scenario.

    The gateway's requests carry the shopper's token in (e), and in every scenario when
    ``token_everywhere``; the baseline and direct REST have no shopper identity."""
    token = None
    if target == "gateway" and signed_in and (token_everywhere or scenario == SIGNED_IN_SCENARIO):
        token = signed_in.token
    checkout_id = prep.checkout_id
    if scenario == SIGNED_IN_SCENARIO:
        assert signed_in is not None and signed_in.checkout_id is not None
        checkout_id = signed_in.checkout_id
    if scenario == "a":
        if target == "direct":
            return rest_get(sandbox, f"/payments/methods?order_id={prep.order_number}")
        # The baseline has no opaque ids: it takes the BigCommerce order number.
        order_id = prep.order_id if target == "gateway" else str(prep.order_number)
        assert server is not None
        return graphql_request(
            server.url,
            "PaymentMethods",
            {"orderId": order_id},
            baseline=target == "baseline",
            shopper_token=token,
        )
    if target == "direct":
        include = "consignments.available_shipping_options"
        return rest_get(sandbox, f"/checkouts/{checkout_id}?include={include}")
    assert server is not None
    return graphql_request(
        server.url,
        "Checkout",
        {"id": checkout_id},
        baseline=target == "baseline",
        shopper_token=token,
    )


def check_once(req: HttpRequest) -> None:
    """Send the request once and fail loudly (with the answer) if it is not a success."""
    r = urllib.request.Request(  # noqa: S310 - loopback URL we built
        req.url, data=req.body, headers=dict(req.headers), method=req.method
    )
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:  # noqa: S310
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    if status != 200 or (req.bad_needle and req.bad_needle in body):
        raise RuntimeError(f"{req.method} {req.url} -> {status}: {body[:500]!r}")


def upstream_connections_opened(server: Server | None) -> float | None:
    """The gateway's own count of upstream connections it opened (from its /metrics)."""
    if server is None or server.name != "gateway":
        return None
    base = server.url.rsplit("/graphql", 1)[0]
    try:
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as resp:  # noqa: S310 - loopback URL we built
            text = resp.read().decode()
    except OSError:
        return None
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("gateway_upstream_connections_opened_total")
    )


@dataclass(frozen=True)
class Costs:
    """What one measurement cost: the server's CPU, upstream calls and connections."""

    cpu_s: float
    upstream: int | None
    sandbox_cpu_s: float
    connections_opened: float | None

    def row_fields(self, count: int, pid: int) -> dict[str, Any]:
        n = max(count, 1)
        return {
            "cpu_s": round(self.cpu_s, 3),
            "cpu_s_per_1k": self.cpu_s / n * 1000,
            "upstream_requests": self.upstream,
            "upstream_per_req": None if self.upstream is None else self.upstream / n,
            "sandbox_cpu_s": round(self.sandbox_cpu_s, 3),
            # Reuse shows as a handful per run, not one per call.
            "upstream_connections_opened": self.connections_opened,
            **_rss(pid),
        }


def _costs(
    pid: int, sandbox: Sandbox, run: Callable[[], Any], server: Server | None = None
) -> tuple[Any, Costs]:
    """Run ``run``; return its result and what it cost (new connections: the gateway only)."""
    up0 = sandbox.request_count()
    conn0 = upstream_connections_opened(server)
    cpu0 = tree_cpu_seconds(pid)
    sb0 = tree_cpu_seconds(sandbox.pid)
    result = run()
    cpu = cpu_delta(cpu0, tree_cpu_seconds(pid))
    sb_cpu = cpu_delta(sb0, tree_cpu_seconds(sandbox.pid))
    up1 = sandbox.request_count()
    conn1 = upstream_connections_opened(server)
    upstream = None if up0 is None or up1 is None else up1 - up0
    opened = None if conn0 is None or conn1 is None else conn1 - conn0
    return result, Costs(cpu, upstream, sb_cpu, opened)


def _rss(pid: int) -> dict[str, Any]:
    per_proc = tree_peak_rss_mb(pid)
    return {
        "peak_rss_mb": max(per_proc.values(), default=0.0),
        "peak_rss_mb_per_process": {str(p): round(v, 1) for p, v in per_proc.items()},
    }


def measure_http(
    scenario: str,
    target: str,
    req: HttpRequest,
    pid: int,
    sandbox: Sandbox,
    s: Settings,
    server: Server | None = None,
) -> dict[str, Any]:
    """Warm up, then load ``req`` for ``s.duration`` and read what it cost the server."""
    check_once(req)
    if s.warmup > 0:
        run_python(req, min(s.connections, 8), s.warmup)
    res, costs = _costs(
        pid, sandbox, lambda: run_load(req, s.connections, s.duration, s.use_wrk), server
    )
    row: dict[str, Any] = {"scenario": scenario, "target": target, **res.to_dict()}
    row.update(costs.row_fields(res.requests, pid))
    return row


def measure_flows(
    target: str,
    flow: Flow,
    concurrency: int,
    pid: int,
    sandbox: Sandbox,
    s: Settings,
    server: Server | None = None,
) -> dict[str, Any]:
    """Scenario (c) for one target at one concurrency."""
    res, costs = _costs(pid, sandbox, lambda: run_flows(flow, concurrency, s.duration), server)
    row: dict[str, Any] = {"scenario": FLOW_SCENARIO, "target": target, **asdict(res)}
    row.update(costs.row_fields(res.flows, pid))
    return row


def flow_for(
    target: str, server: Server | None, sandbox: Sandbox, shopper_token: str | None = None
) -> Flow:
    """The flow driver of a target: GraphQL for the gateway (signed in with
    ``shopper_token``: every cart is then that shopper's), REST for direct."""
    if target == "gateway":
        assert server is not None
        return GraphQLFlow(Endpoints(graphql_url=server.url, shopper_token=shopper_token))
    return RestFlow(Endpoints(api_url=sandbox.api_url, payments_url=sandbox.payments_url))


def add_comparisons(rows: list[dict[str, Any]]) -> None:
    """Ratio of req/s to the baseline and p50 added over direct REST, per scenario."""
    by = {(r["scenario"], r["target"]): r for r in rows if "rps" in r}
    for r in rows:
        if "rps" not in r:
            continue
        base = by.get((r["scenario"], "baseline"))
        direct = by.get((r["scenario"], "direct"))
        r["ratio_to_baseline"] = r["rps"] / base["rps"] if base and base["rps"] else None
        r["added_p50_ms"] = rounds.added_p50(r, direct) if direct else None
