"""Live order status at scale: N WebSocket subscriptions on one server process, one webhook.

Why: issue 17 asks for 5,000 open subscriptions on one process with RSS <= 250 MB, a
webhook fanned out to all of them with p99 < 1 s from the callback to the last client's
frame, and the event-to-frame p50 of one subscriber. Until the transports are wired into
the gateway this measures the components that will serve them (``GraphQLWebSocket``,
``OrderStatusFeed``, ``WebhookReceiver``) in a server process of their own, over a
Strawberry schema of the real resolver's shape, with the orders held in memory (the
order read costs nothing here: what is measured is the fan-out). With ``--gateway`` it
measures ``checkout-gateway serve`` itself (one process) in front of a
``checkout-gateway sandbox`` process: two real orders, moved with ``PUT /v2/orders/{id}``
on the sandbox, then the webhook posted to the gateway (timed from that post), which
reads the order and fans it out.

    python -m bench.subscriptions_ws                      # 5,000 subscriptions
    python -m bench.subscriptions_ws --subscriptions 500  # quicker
    python -m bench.subscriptions_ws --gateway --output bench/results/subscriptions_gateway.json

Prints one JSON object (also written to ``--output``): the server's RSS before and with
the subscriptions open, per fan-out round the latency from posting the webhook to each
client's frame (p50, p99, last), and one subscriber's event-to-frame p50. Clients run in
``--clients`` processes of their own, so the server's figures are not the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp

from bench.procs import free_port
from bench.subscription_server import CLIENT_KEY, SECRET, serve

ORDER_FANOUT, ORDER_SINGLE = 1, 2
DOCUMENT = "subscription S($n: Int!) { orderStatusChanged(number: $n) { number status } }"
GATEWAY_DOCUMENT = (
    "subscription OrderStatus($orderId: ID!) "
    "{ orderStatusChanged(orderId: $orderId) { id number status statusId } }"
)
SANDBOX_TOKEN = "bench-sandbox-token"  # noqa: S105 - the bench's own sandbox
# Statuses the gateway bench moves the orders through, in turn (never the same twice).
STATUS_CYCLE = (11, 9)


def subscribe_payload(order: int | str) -> dict[str, Any]:
    """The bench server's order number, or the gateway's opaque order id."""
    if isinstance(order, str):
        return {"query": GATEWAY_DOCUMENT, "variables": {"orderId": order}}
    return {"query": DOCUMENT, "variables": {"n": order}}


# --- the clients ---------------------------------------------------------------------------


class Subscriber:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.frames: asyncio.Queue[float] = asyncio.Queue()

    async def listen(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.TEXT and '"next"' in message.data:
                self.frames.put_nowait(time.perf_counter())


async def subscribe(http: aiohttp.ClientSession, url: str, number: int | str) -> Subscriber:
    # Offer permessage-deflate as browsers do (aiohttp's client does not by default), so
    # the server's answer to the offer is what is measured.
    ws = await http.ws_connect(
        url, protocols=("graphql-transport-ws",), heartbeat=None, compress=15
    )
    await ws.send_json(
        {"type": "connection_init", "payload": {"Authorization": f"Bearer {CLIENT_KEY}"}}
    )
    assert (await ws.receive_json())["type"] == "connection_ack"
    await ws.send_json({"id": "1", "type": "subscribe", "payload": subscribe_payload(number)})
    first = await ws.receive_json()
    assert first["type"] == "next", first
    return Subscriber(ws)


class BenchStage:
    """The bench's own server: orders in memory, moved by ``POST /bench/status``."""

    fanout_order: int | str = ORDER_FANOUT
    single_order: int | str = ORDER_SINGLE

    def __init__(self, base: str) -> None:
        self.base = base

    async def rss_kib(self, http: aiohttp.ClientSession) -> int:
        async with http.get(f"{self.base}/bench/rss") as r:
            return int(await r.text())

    async def change(self, http: aiohttp.ClientSession, fanout: bool, round_: int) -> float:
        """Move the order, post its webhook; the time the webhook was sent."""
        number = ORDER_FANOUT if fanout else ORDER_SINGLE
        status = f"Status {round_}" if fanout else f"Single {round_}"
        async with http.post(
            f"{self.base}/bench/status", json={"number": number, "status": status}
        ):
            pass
        return await post_webhook(http, self.base, number, f"{number}-{status}")


async def post_webhook(http: aiohttp.ClientSession, base: str, number: int, key: str) -> float:
    body = {"scope": "store/order/statusUpdated", "data": {"type": "order", "id": number}}
    body["hash"] = key  # type: ignore[assignment]
    sent = time.perf_counter()
    async with http.post(
        f"{base}/webhooks/bigcommerce", json=body, headers={"X-Webhook-Secret": SECRET}
    ) as response:
        assert response.status == 200
    return sent


class GatewayStage:
    """``checkout-gateway serve`` (pid known: its RSS from /proc) over a sandbox process."""

    def __init__(
        self, base: str, pid: int, sandbox_api: str, orders: list[tuple[str, int]]
    ) -> None:
        self.base = base
        self.pid = pid
        self.sandbox_api = sandbox_api
        (self.fanout_order, self._fanout_number), (self.single_order, self._single_number) = orders

    async def rss_kib(self, _http: aiohttp.ClientSession) -> int:
        return process_rss_kib(self.pid)  # a tiny procfs read

    async def change(self, http: aiohttp.ClientSession, fanout: bool, round_: int) -> float:
        number = self._fanout_number if fanout else self._single_number
        status_id = STATUS_CYCLE[round_ % len(STATUS_CYCLE)]
        url = f"{self.sandbox_api}/stores/sandbox/v2/orders/{number}"
        headers = {"X-Auth-Token": SANDBOX_TOKEN, "Accept": "application/json"}
        async with http.put(url, json={"status_id": status_id}, headers=headers) as response:
            assert response.status == 200, await response.text()
        return await post_webhook(http, self.base, number, f"{number}-{round_}-{fanout}")


def process_rss_kib(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in text.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def client_worker(base: str, count: int, order: int | str = ORDER_FANOUT) -> None:
    """A client process: ``count`` subscriptions; per ``round`` line on stdin, one frame
    each, answered with their arrival times (``perf_counter`` is CLOCK_MONOTONIC on
    Linux: comparable across processes)."""
    ws_url = base.replace("http://", "ws://") + "/graphql"
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        subscribers: list[Subscriber] = []
        listeners: list[asyncio.Task[None]] = []
        for start in range(0, count, 250):
            batch = [subscribe(http, ws_url, order) for _ in range(min(250, count - start))]
            opened = await asyncio.gather(*batch)
            subscribers.extend(opened)
            # Read at once, as real clients do: the server's keep-alive pings are answered
            # while the other batches open (slow on a loaded machine).
            listeners.extend(asyncio.create_task(s.listen()) for s in opened)
        # This process's own collector pass, owed after opening its share, would otherwise
        # fall in a round and show as the server's latency: paid now, the sockets frozen.
        gc.collect()
        gc.freeze()
        print("ready", flush=True)
        while (await reader.readline()).strip() == b"round":
            frames = (asyncio.wait_for(s.frames.get(), 60) for s in subscribers)
            print(json.dumps(await asyncio.gather(*frames)), flush=True)
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        await asyncio.gather(*(s.ws.close() for s in subscribers))


async def start_clients(
    base: str, count: int, clients: int, order_args: list[str]
) -> list[asyncio.subprocess.Process]:
    """``count`` subscriptions shared between ``clients`` client processes, all open."""
    share = -(-count // clients)
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.subscriptions_ws",
            "--client",
            base,
            "--subscriptions",
            str(min(share, count - i * share)),
            *order_args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for i in range(clients)
        if count - i * share > 0
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert (await worker.stdout.readline()).strip() == b"ready"
    await asyncio.sleep(1)
    return workers


async def measure(
    stage: BenchStage | GatewayStage, count: int, clients: int, single_rounds: int
) -> dict[str, Any]:
    base = stage.base
    ws_url = base.replace("http://", "ws://") + "/graphql"
    order_args = ["--order-id", stage.fanout_order] if isinstance(stage.fanout_order, str) else []
    async with aiohttp.ClientSession() as http:
        rss_before = await stage.rss_kib(http)
        workers = await start_clients(base, count, clients, order_args)
        rss_open = await stage.rss_kib(http)
        fanouts: list[dict[str, float]] = []
        for round_ in range(3):
            sent = await stage.change(http, True, round_)
            arrived: list[float] = []
            for worker in workers:
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write(b"round\n")
            for worker in workers:
                assert worker.stdout is not None
                arrived.extend(json.loads(await worker.stdout.readline()))
            latencies = [t - sent for t in arrived]
            fanouts.append(
                {
                    "p50_ms": percentile(latencies, 0.5) * 1000,
                    "p99_ms": percentile(latencies, 0.99) * 1000,
                    "last_ms": max(latencies) * 1000,
                }
            )
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write(b"quit\n")
            await worker.wait()
        single = await subscribe(http, ws_url, stage.single_order)
        listener = asyncio.create_task(single.listen())
        singles = []
        for round_ in range(single_rounds):
            sent = await stage.change(http, False, round_)
            singles.append((await asyncio.wait_for(single.frames.get(), 10)) - sent)
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
        await single.ws.close()
    return {
        "subscriptions": count,
        "client_processes": len(workers),
        "server_rss_mb_before": round(rss_before / 1024, 1),
        "server_rss_mb_with_subscriptions": round(rss_open / 1024, 1),
        "fanout_rounds": [{k: round(v, 1) for k, v in f.items()} for f in fanouts],
        "single_subscriber_p50_ms": round(statistics.median(singles) * 1000, 2),
        "cpu_count": os.cpu_count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--single-rounds", type=int, default=200)
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--client", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--order-id", help=argparse.SUPPRESS)
    parser.add_argument(
        "--gateway", action="store_true", help="measure checkout-gateway serve over a sandbox"
    )
    parser.add_argument(
        "--output", default="bench/results/subscriptions_ws.json", help="where the JSON goes"
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.client:
        asyncio.run(client_worker(args.client, args.subscriptions, args.order_id or ORDER_FANOUT))
        return 0
    if args.gateway:
        result = measure_gateway(args.subscriptions, args.clients, args.single_rounds)
    else:
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.subscriptions_ws", "--serve", str(port)],
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(_wait_ready(f"{base}/bench/rss"))
            stage = BenchStage(base)
            result = asyncio.run(
                measure(stage, args.subscriptions, args.clients, args.single_rounds)
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)  # a shared machine skews it
    text = json.dumps(result, indent=2)
    with open(args.output, "w") as out:
        out.write(text + "\n")
    print(text)
    return 0


def start_sandbox_process(api_port: int, payments_port: int) -> subprocess.Popen[bytes]:
    """``gateway sandbox`` on those ports, in its own session (stopped with its group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "gateway", "sandbox", "--port", str(api_port),
         "--payments-port", str(payments_port), "--token", SANDBOX_TOKEN],
        start_new_session=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def gateway_env(environ: Mapping[str, str], api_port: int, payments_port: int) -> dict[str, str]:
    """``environ`` without settings of ours, and those of a gateway in front of the sandbox
    on those ports (its webhooks signed with SECRET, CLIENT_KEY its one client)."""
    env = {k: v for k, v in environ.items() if not k.startswith(("BIGCOMMERCE_", "GATEWAY_"))}
    env.update(
        BIGCOMMERCE_STORE_HASH="sandbox",
        BIGCOMMERCE_ACCESS_TOKEN=SANDBOX_TOKEN,
        BIGCOMMERCE_API_URL=f"http://127.0.0.1:{api_port}",
        BIGCOMMERCE_PAYMENTS_URL=f"http://127.0.0.1:{payments_port}",
        GATEWAY_SECRET="bench-order-id-secret-0123456789",  # noqa: S106 - the bench's own
        GATEWAY_WEBHOOK_SECRET=SECRET,
        GATEWAY_CLIENT_KEYS=CLIENT_KEY,
    )
    return env


def measure_gateway(count: int, clients: int, single_rounds: int) -> dict[str, Any]:
    """The sandbox and ``serve`` as processes; two unpaid orders made through the gateway."""
    from bench.flows import Endpoints, GraphQLFlow, prepare

    api_port, payments_port, port = free_port(), free_port(), free_port()
    sandbox = start_sandbox_process(api_port, payments_port)
    api = f"http://127.0.0.1:{api_port}"
    env = gateway_env(os.environ, api_port, payments_port)
    server = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--port", str(port)],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL,  # its access log
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_wait_ready(f"{base}/readyz"))
        flow = GraphQLFlow(Endpoints(graphql_url=f"{base}/graphql"))
        flow.headers = {"Authorization": f"Bearer {CLIENT_KEY}"}
        orders = [prepare(flow) for _ in range(2)]
        stage = GatewayStage(base, server.pid, api, [(o.order_id, o.order_number) for o in orders])
        try:
            result = asyncio.run(measure(stage, count, clients, single_rounds))
        finally:
            print(asyncio.run(_live_metrics(base)), file=sys.stderr)  # reads, drops, failures
        result["server"] = "checkout-gateway serve (one process) over a checkout-gateway sandbox"
        return result
    finally:
        for process in (server, sandbox):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)


async def _live_metrics(base: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as response:
        text = await response.text()
    wanted = ("gateway_order_", "gateway_webhook_", "gateway_subscri", "gateway_upstream_calls")
    return "\n".join(line for line in text.splitlines() if line.startswith(wanted))


async def _wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the bench server did not start")


if __name__ == "__main__":
    sys.exit(main())
