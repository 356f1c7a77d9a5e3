"""Where an open subscription's bytes and collector time go: ``serve``'s app in this process.

Why: ``bench.subscriptions_ws --gateway`` measures ``checkout-gateway serve`` from the
outside (its RSS, the fan-out's latency); this probe runs the same app, on the same
uvicorn options, inside the measuring process, so it can look in: ``tracemalloc``
snapshots diffed around N subscriptions (per subscription, by source line), the objects
the cyclic collector tracks, and every generation-2 pass (``gc.callbacks``, CPU time)
during setup and during each fan-out round. The clients are ``bench.subscriptions_ws``
client processes, the store a ``checkout-gateway sandbox`` process, as in that bench.

    python -m bench.subscriptions_memory                          # 1,000 subscriptions
    python -m bench.subscriptions_memory --trace 30               # the top 30 source lines
    python -m bench.subscriptions_memory --subscriptions 5000 --clients 4 --rounds 5
    python -m bench.subscriptions_memory --ws websockets-sansio    # another uvicorn ws
    python -m bench.subscriptions_memory --no-pings               # uvicorn's keep-alive off

tracemalloc slows everything and adds its own bytes: RSS figures without ``--trace``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import sys
import time
import tracemalloc
from typing import Any

import aiohttp

from bench.procs import free_port
from bench.subscriptions_ws import (
    CLIENT_KEY,
    SANDBOX_TOKEN,
    STATUS_CYCLE,
    _wait_ready,
    gateway_env,
    percentile,
    post_webhook,
    process_rss_kib,
    start_clients,
    start_sandbox_process,
)


class FullPasses:
    """Generation-2 passes of the collector: CPU milliseconds, and when they ended."""

    def __init__(self) -> None:
        self.passes: list[tuple[float, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.thread_time()
        else:
            self.passes.append(((time.thread_time() - self._started) * 1000, time.monotonic()))

    def take(self) -> list[float]:
        taken, self.passes = self.passes, []
        return [round(ms) for ms, _ in taken]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=1, help="client processes")
    parser.add_argument("--rounds", type=int, default=3, help="fan-out rounds")
    parser.add_argument("--trace", type=int, default=0, metavar="LINES")
    parser.add_argument("--ws", help="uvicorn's WebSocket implementation (default: serve's)")
    parser.add_argument("--no-pings", action="store_true", help="uvicorn's keep-alive off")
    args = parser.parse_args()
    api_port, payments_port = free_port(), free_port()
    sandbox = start_sandbox_process(api_port, payments_port)
    api = f"http://127.0.0.1:{api_port}"
    # The app is built in this process: its settings come from this environment.
    env = gateway_env(os.environ, api_port, payments_port)
    os.environ.clear()
    os.environ.update(env)
    try:
        import uvloop

        print(json.dumps(uvloop.run(probe(args, api)), indent=2))
    finally:
        os.killpg(sandbox.pid, signal.SIGTERM)
        sandbox.wait(30)
    return 0


async def probe(args: argparse.Namespace, api: str) -> dict[str, Any]:
    import uvicorn

    from bench.flows import Endpoints, GraphQLFlow, prepare
    from gateway.bootstrap import create_app
    from gateway.settings import Settings

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    await _wait_port(int(api.rsplit(":", 1)[1]))
    settings = Settings.from_env()
    app = create_app(settings)
    gc.collect()
    gc.freeze()  # as serve does
    # serve's options (gateway/cli.py; the CLI is not imported), the loop aside: this
    # process runs on uvloop already.
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "http": "httptools",
        "ws": "wsproto",
        "ws_per_message_deflate": False,
        "access_log": False,
        "log_level": "warning",
    }
    if args.ws:
        options["ws"] = args.ws
    if args.no_pings:
        options["ws_ping_interval"] = None
    server = uvicorn.Server(uvicorn.Config(app, **options))
    serving = asyncio.create_task(server.serve())
    await _wait_ready(f"{base}/readyz")
    flow = GraphQLFlow(Endpoints(graphql_url=f"{base}/graphql"))
    flow.headers = {"Authorization": f"Bearer {CLIENT_KEY}"}
    order = await asyncio.to_thread(prepare, flow)
    passes = FullPasses()
    gc.callbacks.append(passes)
    count = args.subscriptions
    rss_before, tracked_before = process_rss_kib(os.getpid()), tracked()
    if args.trace:
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
    workers = await start_clients(base, count, args.clients, ["--order-id", order.order_id])
    result: dict[str, Any] = {
        "subscriptions": count,
        "ws": options["ws"],
        "pings": not args.no_pings,
        "rss_mb_before": round(rss_before / 1024, 1),
        "rss_mb_with_subscriptions": round(process_rss_kib(os.getpid()) / 1024, 1),
        "kb_per_subscription": round((process_rss_kib(os.getpid()) - rss_before) / count, 1),
        "tracked_objects_per_subscription": round((tracked() - tracked_before) / count, 1),
        "full_passes_during_setup_ms": passes.take(),
    }
    if args.trace:
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        result["bytes_per_subscription_by_line"] = [
            f"{stat.size_diff / count:7.0f} B {stat.traceback.format()[-1].strip()}"
            for stat in after.compare_to(before, "lineno")[: args.trace]
        ]
    result["rounds"] = await fan_out(workers, base, api, order.order_number, args.rounds, passes)
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(b"quit\n")
        await worker.wait()
    gc.callbacks.remove(passes)
    server.should_exit = True
    await serving
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    return result


def tracked() -> int:
    """Objects the collector tracks, the frozen ones included."""
    return len(gc.get_objects()) + gc.get_freeze_count()


async def _wait_port(port: int) -> None:
    """The sandbox accepts connections (it has no unauthenticated page to ask)."""
    for _ in range(300):
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError("the sandbox did not start")


async def fan_out(
    workers: list[asyncio.subprocess.Process],
    base: str,
    api: str,
    number: int,
    rounds: int,
    passes: FullPasses,
) -> list[dict[str, Any]]:
    measured = []
    headers = {"X-Auth-Token": SANDBOX_TOKEN, "Accept": "application/json"}
    async with aiohttp.ClientSession() as http:
        for round_ in range(rounds):
            url = f"{api}/stores/sandbox/v2/orders/{number}"
            status_id = STATUS_CYCLE[round_ % len(STATUS_CYCLE)]
            async with http.put(url, json={"status_id": status_id}, headers=headers) as response:
                assert response.status == 200, await response.text()
            passes.take()
            sent = await post_webhook(http, base, number, f"{number}-probe-{round_}")
            arrived: list[float] = []
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write(b"round\n")
            for worker in workers:
                assert worker.stdout is not None
                arrived.extend(json.loads(await worker.stdout.readline()))
            latencies = [t - sent for t in arrived]
            measured.append(
                {
                    "p50_ms": round(percentile(latencies, 0.5) * 1000),
                    "p99_ms": round(percentile(latencies, 0.99) * 1000),
                    "full_passes_ms": passes.take(),
                    "load_average_1m": round(os.getloadavg()[0], 2),
                }
            )
    return measured


if __name__ == "__main__":
    sys.exit(main())
