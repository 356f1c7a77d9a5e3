"""Starting the three things a scenario is measured against: sandbox, gateway, baseline.

Each start waits until the process is ready and returns a handle with its URLs and pid;
the ``ProcessGroup`` that started it stops it at the end.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import urllib.request
from dataclasses import dataclass

from bench.documents import REPO
from bench.procs import ProcessGroup, free_port, python_argv

STORE_HASH = "sandbox"
TOKEN = "sandbox-token"  # noqa: S105 - the sandbox store's fixed test token
START_TIMEOUT = 30.0


@dataclass
class Sandbox:
    """The upstream store: its two hosts, and the launcher's control URL when we have one."""

    pid: int
    api_url: str
    payments_url: str
    control_url: str | None
    how: str

    def request_count(self) -> int | None:
        """Requests the store has answered so far, or None when it cannot tell."""
        if not self.control_url:
            return None
        with urllib.request.urlopen(f"{self.control_url}/count", timeout=5) as resp:  # noqa: S310
            d = json.load(resp)
        return int(d["requests"]) if d.get("counting") else None

    def set_delay(self, seconds: float) -> bool:
        """Delay every upstream answer by ``seconds`` (0: none); False when not supported."""
        if not self.control_url:
            return False
        req = urllib.request.Request(  # noqa: S310 - loopback control URL we built
            f"{self.control_url}/delay?seconds={seconds}", method="POST", data=b""
        )
        with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310
            return resp.status == 200


@dataclass
class Server:
    """A GraphQL server under test (the gateway or the baseline)."""

    name: str
    pid: int
    url: str


def launcher_available() -> bool:
    """True when gateway.sandbox offers the Python API the launcher uses."""
    try:
        if importlib.util.find_spec("gateway.sandbox") is None:
            return False
        import gateway.sandbox as sandbox_pkg
    except ImportError:
        return False
    return hasattr(sandbox_pkg, "SandboxServer")


def start_sandbox(pg: ProcessGroup, how: str = "auto") -> Sandbox:
    """Start the store with our launcher (counts, delay) or the gateway's own CLI."""
    if how == "auto":
        how = "launcher" if launcher_available() else "cli"
    port, payments_port = free_port(), free_port()
    common = ["--port", str(port), "--payments-port", str(payments_port)]
    if how == "launcher":
        control_port = free_port()
        argv = python_argv("-m", "bench.sandbox_launcher", *common)
        argv += ["--control-port", str(control_port)]
        proc = pg.start("sandbox", argv, cwd=REPO)
        m = proc.wait_for_line(r"SANDBOX api=(\S+) payments=(\S+) control=(\S+)", START_TIMEOUT)
        return Sandbox(proc.pid, m[1].rstrip("/"), m[2].rstrip("/"), m[3], how)
    argv = python_argv("-m", "gateway", "sandbox", *common)
    argv += ["--store-hash", STORE_HASH, "--token", TOKEN]
    proc = pg.start("sandbox", argv, cwd=REPO)
    proc.wait_for_line(rf"127\.0\.0\.1:{payments_port}", START_TIMEOUT)
    return Sandbox(
        proc.pid, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{payments_port}", None, how
    )


def upstream_env(sandbox: Sandbox) -> dict[str, str]:
    """Production-mode configuration pointing at the sandbox store."""
    return {
        "BIGCOMMERCE_STORE_HASH": STORE_HASH,
        "BIGCOMMERCE_ACCESS_TOKEN": TOKEN,
        "BIGCOMMERCE_API_URL": sandbox.api_url,
        "BIGCOMMERCE_PAYMENTS_URL": sandbox.payments_url,
    }


def start_gateway(pg: ProcessGroup, sandbox: Sandbox, workers: int) -> Server:
    """``python -m gateway serve`` in production mode; ready when /readyz answers 200."""
    port = free_port()
    env = upstream_env(sandbox)
    env.update({"GATEWAY_SECRET": secrets.token_hex(32), "GATEWAY_INTROSPECTION": "0"})
    argv = python_argv("-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port))
    if workers > 1:
        argv += ["--workers", str(workers)]
    proc = pg.start("gateway", argv, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    proc.wait_http_ok(f"{base}/readyz", START_TIMEOUT)
    return Server("gateway", proc.pid, f"{base}/graphql")


def start_baseline(pg: ProcessGroup, sandbox: Sandbox) -> Server:
    """The textbook Strawberry gateway of bench/baseline, one uvicorn worker."""
    port = free_port()
    argv = python_argv("-m", "bench.baseline", "--host", "127.0.0.1", "--port", str(port))
    proc = pg.start("baseline", argv, env=upstream_env(sandbox), cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    proc.wait_http_ok(f"{base}/readyz", START_TIMEOUT)
    return Server("baseline", proc.pid, f"{base}/graphql")


def gateway_log_tail(pg: ProcessGroup, name: str) -> str:
    """The last output lines of a started process, for error reports."""
    for p in pg.procs:
        if p.name == name:
            return p.tail()
    return ""
