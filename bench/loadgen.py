"""Load generators: ``wrk`` (with bench/post.lua) when it is on PATH, else our own aiohttp one.

Both send one fixed request over N keep-alive connections for a fixed time and report
requests/s, latency percentiles and the number of bad answers (not 200, or a body
holding a "needle" such as ``"errors"`` for GraphQL).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

LUA_SCRIPT = Path(__file__).with_name("post.lua")


@dataclass(frozen=True)
class HttpRequest:
    """One request a scenario sends again and again."""

    method: str
    url: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # A byte string whose presence in a 200 answer makes it an error (GraphQL "errors").
    bad_needle: bytes | None = None


@dataclass
class LoadResult:
    """What one load run measured."""

    tool: str
    connections: int
    duration_s: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of already sorted values; 0 when empty."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(
    tool: str, connections: int, elapsed: float, latencies_s: list[float], errors: int
) -> LoadResult:
    """Turn raw per-request latencies (seconds) into a ``LoadResult``."""
    lat = sorted(latencies_s)
    n = len(lat)
    return LoadResult(
        tool=tool,
        connections=connections,
        duration_s=round(elapsed, 3),
        requests=n,
        errors=errors,
        rps=n / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentile(lat, 50) * 1000,
        p90_ms=percentile(lat, 90) * 1000,
        p99_ms=percentile(lat, 99) * 1000,
        mean_ms=(sum(lat) / n * 1000) if n else 0.0,
        max_ms=(lat[-1] * 1000) if n else 0.0,
    )


def wrk_available() -> bool:
    """True when the ``wrk`` binary is on PATH (and not disabled with BENCH_NO_WRK=1)."""
    return os.environ.get("BENCH_NO_WRK") != "1" and shutil.which("wrk") is not None


def run_wrk(req: HttpRequest, connections: int, duration: float) -> LoadResult:
    """Run wrk (one thread: the cores are shared with the servers) and parse post.lua's line."""
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as tmp:
        tmp.write(req.body or b"")
        body_file = tmp.name
    try:
        seconds = max(1, round(duration))
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        for name, value in req.headers.items():
            argv += ["-H", f"{name}: {value}"]
        needle = req.bad_needle.decode() if req.bad_needle else "-"
        body_arg = body_file if req.body else "-"
        argv += ["-s", str(LUA_SCRIPT), req.url, "--", req.method, body_arg, needle]
        out = subprocess.run(
            argv, capture_output=True, text=True, timeout=duration + 60, check=False
        )
    finally:
        os.unlink(body_file)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    d = json.loads(line.removeprefix("WRK_JSON "))
    elapsed = d["duration_us"] / 1e6
    socket_errors = d["connect"] + d["read"] + d["write"] + d["timeout"]
    return LoadResult(
        tool="wrk",
        connections=connections,
        duration_s=round(elapsed, 3),
        requests=d["requests"],
        errors=d["bad"] + socket_errors,
        rps=d["requests"] / elapsed if elapsed > 0 else 0.0,
        p50_ms=d["p50_us"] / 1000,
        p90_ms=d["p90_us"] / 1000,
        p99_ms=d["p99_us"] / 1000,
        mean_ms=d["mean_us"] / 1000,
        max_ms=d["max_us"] / 1000,
    )


async def _python_load(
    req: HttpRequest, connections: int, duration: float, max_requests: int | None
) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    budget = max_requests if max_requests is not None else math.inf
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        deadline = start + duration

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline and len(latencies) + errors < budget:
                t0 = time.perf_counter()
                try:
                    async with session.request(
                        req.method, req.url, data=req.body, headers=req.headers
                    ) as resp:
                        body = await resp.read()
                        ok = resp.status == 200 and not (req.bad_needle and req.bad_needle in body)
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    return summarize("python", connections, elapsed, latencies, errors)


def run_async(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine on a fresh event loop, uvloop when installed (a cheaper client)."""
    try:
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro_fn())  # type: ignore[arg-type]


def run_python(
    req: HttpRequest, connections: int, duration: float, max_requests: int | None = None
) -> LoadResult:
    """Our own load generator: ``connections`` workers on one aiohttp session."""
    result: LoadResult = run_async(lambda: _python_load(req, connections, duration, max_requests))
    return result


def run_load(req: HttpRequest, connections: int, duration: float, use_wrk: bool) -> LoadResult:
    """wrk when asked for (and present), else the Python load generator."""
    if use_wrk:
        return run_wrk(req, connections, duration)
    return run_python(req, connections, duration)
