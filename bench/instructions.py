"""Instructions per request of the gateway process alone, counted by valgrind's callgrind.

``python -m bench.instructions [--gateway PATH] [--requests N] [--scenarios a,b,typename,flow]
[--without-shopper]``

Wall-clock and CPU figures on the shared machine spread by more than the few percent
issue 10 allows, but an instruction count is repeatable to a fraction of a percent.
The sandbox store runs in its own process (not counted); ``python -m gateway serve`` of
the checkout at PATH (default: this one, with PATH/.venv/bin/python) runs under
``valgrind --tool=callgrind --instr-atstart=no``, so start-up runs uninstrumented.
For each scenario, instrumentation is switched on, W requests warm the caches up, the
counters are zeroed (``callgrind_control -z``), N requests are sent one after another on
one keep-alive connection, and the counters are dumped (``callgrind_control -d``): the
dump's total divided by N is the figure. Scenarios: (a) ``PaymentMethods`` (cached),
(b) ``Checkout``, ``typename`` (``{ __typename }``: the fixed cost of a request) and
``flow``: one whole guest checkout flow (CreateCart ... PayWithCard, one request each)
per unit. Counted are the process's user-space instructions: the kernel's share of a
request (its socket calls, ~7% of the CPU at one connection) is not in the figure.

The same tool measures two commits: pass the other worktree as ``--gateway``, and
``--without-shopper`` so that a schema without the root ``shopper`` field (4b9375b)
validates the same documents. The dumps stay in ``--out`` for ``callgrind_annotate``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.documents import operation_document
from bench.flows import ADDRESS, CARD
from bench.procs import ProcessGroup, free_port
from bench.targets import start_sandbox, upstream_env

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 300.0  # the interpreter's start-up under valgrind, uninstrumented


class Gateway:
    """One ``gateway serve`` under callgrind, and one keep-alive connection to it."""

    def __init__(self, pid: int, port: int, dumps: Path) -> None:
        self.pid = pid
        self.port = port
        self.dumps = dumps
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def control(self, *args: str) -> None:
        subprocess.run(["callgrind_control", *args, str(self.pid)], check=True, capture_output=True)

    def post(self, body: bytes) -> bytes:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        self.conn.request("POST", "/graphql", body, headers)
        resp = self.conn.getresponse()
        answer = resp.read()
        if resp.status != 200 or b'{"errors"' in answer or b',"errors":[{' in answer:
            raise RuntimeError(f"HTTP {resp.status}: {answer[:300]!r}")
        return answer

    def counted(self, label: str, run: Any, units: int, warmup: int) -> int:
        """Instructions of ``units`` calls of ``run`` after ``warmup`` more, in total."""
        for _ in range(warmup):
            run()
        before = set(self.dumps.iterdir())
        self.control("-z")
        for _ in range(units):
            run()
        self.control("-d", label)
        new = sorted(set(self.dumps.iterdir()) - before)
        return total_instructions(new[-1])


def total_instructions(dump: Path) -> int:
    """The ``summary:`` (or ``totals:``) line of a callgrind dump: Ir of the whole process."""
    text = dump.read_text(errors="replace")
    m = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.MULTILINE)
    if not m:
        raise RuntimeError(f"no total in {dump}")
    return int(m[1])


def wait_ready(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gateway on port {port} not ready after {timeout:.0f} s")


class Documents:
    """Request bodies; ``without`` leaves root fields out (4b9375b has no ``shopper``)."""

    def __init__(self, without: tuple[str, ...]) -> None:
        self.without = without

    def body(self, operation: str, variables: dict[str, Any]) -> bytes:
        doc = {"query": operation_document(operation, self.without), "operationName": operation}
        doc["variables"] = variables
        return json.dumps(doc).encode()


def run_flow(gw: Gateway, docs: Documents, pay: bool = True) -> dict[str, str]:
    """One guest's checkout flow, a request per step; the checkout and order ids."""

    def op(name: str, variables: dict[str, Any]) -> Any:
        return next(iter(json.loads(gw.post(docs.body(name, variables)))["data"].values()))

    lines = [{"productId": 111, "quantity": 2}]
    cart = op("CreateCart", {"input": {"lineItems": lines, "currencyCode": "USD"}})["cart"]
    checkout = cart["id"]
    address = {**ADDRESS, "phone": "+15125550100"}
    op("AddBillingAddress", {"input": {"checkoutId": checkout, "address": address}})
    items = [{"itemId": cart["lineItems"][0]["id"], "quantity": 2}]
    consigned = op(
        "AddConsignment",
        {"input": {"checkoutId": checkout, "address": ADDRESS, "lineItems": items}},
    )
    consignment = consigned["checkout"]["consignments"][0]
    selected = {
        "checkoutId": checkout,
        "consignmentId": consignment["id"],
        "shippingOptionId": consignment["availableShippingOptions"][0]["id"],
    }
    op("SelectShippingOption", {"input": selected})
    key = secrets.token_hex(16)
    order = op("CreateOrder", {"input": {"checkoutId": checkout, "idempotencyKey": key}})
    order_id = str(order["order"]["id"])
    if pay:
        op("PaymentMethods", {"orderId": order_id})
        payment = {
            "orderId": order_id,
            "paymentMethodId": "braintree.card",
            "card": CARD,
            "saveInstrument": False,
            "idempotencyKey": secrets.token_hex(16),
        }
        paid = op("PayWithCard", {"input": payment})
        if paid["payment"] is None or paid["payment"]["status"] != "SUCCESS":
            raise RuntimeError(f"PayWithCard: {paid}")
    return {"checkout": checkout, "order": order_id}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--gateway", type=Path, default=REPO, help="checkout to run")
    parser.add_argument("--python", type=Path, help="default: GATEWAY/.venv/bin/python")
    parser.add_argument("--requests", type=int, default=200, help="counted per scenario")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--flows", type=int, default=5, help="counted flows")
    parser.add_argument("--scenarios", default="a,b,flow")
    parser.add_argument("--out", type=Path, help="where the dumps stay (default: a temp dir)")
    parser.add_argument(
        "--without-shopper",
        action="store_true",
        help="leave the root `shopper` field out of the documents (to compare with 4b9375b)",
    )
    args = parser.parse_args()
    gateway_dir = args.gateway.resolve()
    python = args.python or gateway_dir / ".venv" / "bin" / "python"
    dumps = args.out or Path(tempfile.mkdtemp(prefix="callgrind-"))
    dumps.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "-C", str(gateway_dir), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    scenarios = args.scenarios.split(",")
    results: dict[str, float] = {}
    with ProcessGroup() as pg:
        sandbox = start_sandbox(pg)
        port = free_port()
        env = upstream_env(sandbox)
        env.update(
            {
                "GATEWAY_SECRET": secrets.token_hex(32),
                "GATEWAY_INTROSPECTION": "0",
                "PYTHONHASHSEED": "0",  # the same dict/set layouts every run
            }
        )
        argv = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={dumps}/callgrind.out.%p",
            str(python),
            "-m",
            "gateway",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        proc = pg.start("gateway", argv, env=env, cwd=gateway_dir)
        wait_ready(port, START_TIMEOUT_S)
        gw = Gateway(proc.pid, port, dumps)
        docs = Documents(("shopper",) if args.without_shopper else ())
        ids = run_flow(gw, docs, pay=False)
        gw.control("-i", "on")
        for scenario in scenarios:
            if scenario == "flow":
                total = gw.counted("flow", lambda: run_flow(gw, docs), args.flows, 2)
                results["flow"] = total / args.flows
                continue
            if scenario == "a":
                payload = docs.body("PaymentMethods", {"orderId": ids["order"]})
            elif scenario == "b":
                payload = docs.body("Checkout", {"id": ids["checkout"]})
            elif scenario == "typename":  # the fixed cost: nothing upstream, nothing to parse
                payload = json.dumps({"query": "{ __typename }"}).encode()
            else:
                raise SystemExit(f"unknown scenario {scenario!r}")
            total = gw.counted(scenario, lambda p=payload: gw.post(p), args.requests, args.warmup)
            results[scenario] = total / args.requests
    print(f"gateway {gateway_dir} at {commit or '?'}; dumps in {dumps}")
    for scenario, per in results.items():
        unit = "flow" if scenario == "flow" else "request"
        print(f"{scenario}: {per / 1e6:.3f} M instructions per {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
