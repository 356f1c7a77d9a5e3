"""Live order status at scale: N WebSocket subscriptions on one server process, one webhook.

Why: issue 17 asks for 5,000 open subscriptions on one process with RSS <= 250 MB, a
webhook fanned out to all of them with p99 < 1 s from the callback to the last client's
frame, and the event-to-frame p50 of one subscriber. Until the transports are wired into
the gateway this measures the components that will serve them (``GraphQLWebSocket``,
``OrderStatusFeed``, ``WebhookReceiver``) in a server process of their own, over a
Strawberry schema of the real resolver's shape, with the orders held in memory (the
order read costs nothing here: what is measured is the fan-out). Once wired, point
``--url`` at ``checkout-gateway serve`` instead.

    python -m bench.subscriptions_ws                      # 5,000 subscriptions
    python -m bench.subscriptions_ws --subscriptions 500  # quicker

Prints one JSON object (also written to ``--output``): the server's RSS before and with
the subscriptions open, per fan-out round the latency from posting the webhook to each
client's frame (p50, p99, last), and one subscriber's event-to-frame p50. Clients run in
``--clients`` processes of their own, so the server's figures are not the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

import aiohttp

from bench.subscription_server import CLIENT_KEY, SECRET, serve

ORDER_FANOUT, ORDER_SINGLE = 1, 2
DOCUMENT = "subscription S($n: Int!) { orderStatusChanged(number: $n) { number status } }"


# --- the clients ---------------------------------------------------------------------------


class Subscriber:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.frames: asyncio.Queue[float] = asyncio.Queue()

    async def listen(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.TEXT and '"next"' in message.data:
                self.frames.put_nowait(time.perf_counter())


async def subscribe(http: aiohttp.ClientSession, url: str, number: int) -> Subscriber:
    ws = await http.ws_connect(url, protocols=("graphql-transport-ws",), heartbeat=None)
    await ws.send_json(
        {"type": "connection_init", "payload": {"Authorization": f"Bearer {CLIENT_KEY}"}}
    )
    assert (await ws.receive_json())["type"] == "connection_ack"
    payload = {"query": DOCUMENT, "variables": {"n": number}}
    await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
    first = await ws.receive_json()
    assert first["type"] == "next", first
    return Subscriber(ws)


async def change(http: aiohttp.ClientSession, base: str, number: int, status: str) -> float:
    """Move the order, post its webhook; the time the webhook was sent."""
    async with http.post(f"{base}/bench/status", json={"number": number, "status": status}):
        pass
    body = {"scope": "store/order/statusUpdated", "data": {"type": "order", "id": number}}
    body["hash"] = f"{number}-{status}"  # type: ignore[assignment]
    sent = time.perf_counter()
    async with http.post(
        f"{base}/webhooks/bigcommerce", json=body, headers={"X-Webhook-Secret": SECRET}
    ) as response:
        assert response.status == 200
    return sent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def client_worker(base: str, count: int) -> None:
    """A client process: ``count`` subscriptions; per ``round`` line on stdin, one frame
    each, answered with their arrival times (``perf_counter`` is CLOCK_MONOTONIC on
    Linux: comparable across processes)."""
    ws_url = base.replace("http://", "ws://") + "/graphql"
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        subscribers: list[Subscriber] = []
        for start in range(0, count, 250):
            batch = [subscribe(http, ws_url, ORDER_FANOUT) for _ in range(min(250, count - start))]
            subscribers.extend(await asyncio.gather(*batch))
        listeners = [asyncio.create_task(s.listen()) for s in subscribers]
        print("ready", flush=True)
        while (await reader.readline()).strip() == b"round":
            frames = (asyncio.wait_for(s.frames.get(), 60) for s in subscribers)
            print(json.dumps(await asyncio.gather(*frames)), flush=True)
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        await asyncio.gather(*(s.ws.close() for s in subscribers))


async def measure(base: str, count: int, clients: int, single_rounds: int) -> dict[str, Any]:
    ws_url = base.replace("http://", "ws://") + "/graphql"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/bench/rss") as r:
            rss_before = int(await r.text())
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
        async with http.get(f"{base}/bench/rss") as r:
            rss_open = int(await r.text())
        fanouts: list[dict[str, float]] = []
        for round_ in range(3):
            sent = await change(http, base, ORDER_FANOUT, f"Status {round_}")
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
        single = await subscribe(http, ws_url, ORDER_SINGLE)
        listener = asyncio.create_task(single.listen())
        singles = []
        for round_ in range(single_rounds):
            sent = await change(http, base, ORDER_SINGLE, f"Single {round_}")
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
    parser.add_argument(
        "--output", default="bench/results/subscriptions_ws.json", help="where the JSON goes"
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.client:
        asyncio.run(client_worker(args.client, args.subscriptions))
        return 0
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.subscriptions_ws", "--serve", str(port)],
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_wait_ready(base))
        result = asyncio.run(measure(base, args.subscriptions, args.clients, args.single_rounds))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)  # a shared machine skews it
    text = json.dumps(result, indent=2)
    with open(args.output, "w") as out:
        out.write(text + "\n")
    print(text)
    return 0


async def _wait_ready(base: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"{base}/bench/rss") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the bench server did not start")


if __name__ == "__main__":
    sys.exit(main())
