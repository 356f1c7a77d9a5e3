"""What a shopper token on every request costs the gateway, whole request path included.

    python -m bench.token_overhead [--requests N] [--blocks B]

One process runs the sandbox store, the gateway (uvicorn, production settings) and an
aiohttp client on loopback. The same request is sent with and without customer 1's
``X-Shopper-Token`` in alternating blocks of ``N`` sequential requests, ``B`` blocks
each, and the process's CPU time (``time.process_time``: server, store and client alike)
is read around each block. CPU time rather than wall time, and alternation rather than
two separate runs, because the machine is shared: other work moves wall-clock figures by
tens of percent between runs, and drifts across a run.

Requests: (b) ``Checkout`` of a guest's checkout (one upstream GET) and (a)
``PaymentMethods`` of a guest's order without its ``shopper`` field (answered from the
gateway's cache; the field would add a signed-in shopper's upstream reads, not the
token's cost). Prints µs of CPU per request with and without the token, the difference
and its ratio, the median over blocks and the spread between quartiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import time
from typing import Any

import aiohttp
import uvicorn

from bench.documents import operation_document
from bench.flows import Endpoints, GraphQLFlow, shopper_headers
from bench.procs import free_port
from gateway.bootstrap import create_app
from gateway.sandbox import SandboxServer
from gateway.settings import Settings


async def _serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    return server, task, f"http://127.0.0.1:{port}/graphql"


async def _block(
    s: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str], n: int
) -> float:
    """CPU seconds of ``n`` sequential requests; each must be a 200 without errors."""
    started = time.process_time()
    for _ in range(n):
        async with s.post(url, data=body, headers=headers) as resp:
            text = await resp.read()
            if resp.status != 200 or b'"errors"' in text:
                raise RuntimeError(f"{resp.status}: {text[:300]!r}")
    return time.process_time() - started


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return q1, q2, q3


async def main(requests: int, blocks: int) -> dict[str, Any]:
    sandbox = await SandboxServer.start(host="127.0.0.1", port=0, payments_port=0)
    env = {"GATEWAY_SECRET": secrets.token_hex(32), "GATEWAY_INTROSPECTION": "0"}
    settings = Settings.from_env(env).with_upstream(
        sandbox.api_url, sandbox.payments_url, sandbox.store_hash, sandbox.token
    )
    server, task, url = await _serve(create_app(settings))
    results: dict[str, Any] = {"requests_per_block": requests, "blocks": blocks}
    try:
        async with aiohttp.ClientSession() as s:
            guest = GraphQLFlow(Endpoints(graphql_url=url))
            st: dict[str, Any] = {}
            for step in guest.steps()[:5]:  # a guest's checkout and unpaid order
                await step(s, st)
            variables = {"input": {"email": "jane@example.com", "password": "sandbox-password"}}
            token = (await guest._op(s, "SignIn", variables))["token"]
            cases = {
                "b Checkout (guest checkout)": ("Checkout", {"id": st["cart_id"]}, ()),
                "a PaymentMethods without shopper (cached)": (
                    "PaymentMethods",
                    {"orderId": st["order_id"]},
                    ("shopper",),
                ),
            }
            for name, (operation, variables, without) in cases.items():
                body = json.dumps(
                    {
                        "query": operation_document(operation, without),
                        "operationName": operation,
                        "variables": variables,
                    }
                ).encode()
                plain = {"Content-Type": "application/json"}
                signed = {**plain, **shopper_headers(token)}
                await _block(s, url, body, plain, requests)  # warm-up: caches, connections
                await _block(s, url, body, signed, requests)
                without_token: list[float] = []
                with_token: list[float] = []
                for i in range(blocks):
                    # Alternate which goes first, so a drift favours neither.
                    order = [(plain, without_token), (signed, with_token)]
                    for headers, sink in order if i % 2 == 0 else order[::-1]:
                        sink.append(await _block(s, url, body, headers, requests) / requests)
                deltas = [w - p for w, p in zip(with_token, without_token, strict=True)]
                p = _quartiles(without_token)
                w = _quartiles(with_token)
                d = _quartiles(deltas)
                results[name] = {
                    "cpu_us_without_token": round(p[1] * 1e6, 1),
                    "cpu_us_with_token": round(w[1] * 1e6, 1),
                    "delta_us_median": round(d[1] * 1e6, 1),
                    "delta_us_iqr": [round(d[0] * 1e6, 1), round(d[2] * 1e6, 1)],
                    "overhead_pct": round(d[1] / p[1] * 100, 2),
                }
    finally:
        server.should_exit = True
        await task
        await sandbox.close()
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per block")
    parser.add_argument("--blocks", type=int, default=12, help="blocks per mode")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.requests, args.blocks)), indent=2))
