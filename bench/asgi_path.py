"""CPU per ``POST /graphql`` through the whole ASGI app, in process (no sockets, no load generator).

``python -m bench.asgi_path [--requests N] [--only a,b,typename] [--profile [a|b|typename]]``
starts the sandbox store in its own process, builds the gateway app (every middleware
on), drives it with ASGI messages for (a) the cached ``paymentMethods`` query, (b) the
``Checkout`` query (one upstream GET) and ``{ __typename }`` (the gateway's own
overhead, nothing upstream), and prints microseconds of this process's CPU per request:
the gateway's alone (no sockets on the client side, no uvicorn). CPU time, not wall
time: on a shared machine it is what the gateway itself spends. ``--profile`` prints a
cProfile of one of them (default ``{ __typename }``) by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from typing import Any

import orjson

from bench.documents import operation_document
from bench.procs import ProcessGroup
from bench.targets import STORE_HASH, TOKEN, Sandbox, start_sandbox
from gateway.bootstrap import create_app
from gateway.settings import Settings

ROUNDS = 5


def settings_for(sandbox: Sandbox) -> Settings:
    return Settings.from_env({}).with_upstream(
        sandbox.api_url, sandbox.payments_url, STORE_HASH, TOKEN
    )


async def post(app: Any, body: bytes) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/graphql-response+json, application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def lifespan(app: Any) -> tuple[asyncio.Task[None], asyncio.Queue[dict[str, Any]]]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    task = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    message = await outbox.get()
    assert message["type"] == "lifespan.startup.complete", message
    return task, inbox


async def cpu_us_per_request(app: Any, body: bytes, requests: int) -> float:
    for _ in range(50):
        status, answer = await post(app, body)
        assert status == 200 and b'"errors"' not in answer, answer[:300]
    started = time.process_time()
    for _ in range(requests):
        await post(app, body)
    return (time.process_time() - started) / requests * 1e6


async def main(requests: int, only: list[str], profile: str | None, sandbox: Sandbox) -> None:
    app = create_app(settings_for(sandbox))
    task, inbox = await lifespan(app)
    try:
        checkout, order = await prepared_ids(app)
        methods = orjson.dumps(
            {
                "query": operation_document("PaymentMethods"),
                "operationName": "PaymentMethods",
                "variables": {"orderId": order},
            }
        )
        checkout_query = orjson.dumps(
            {
                "query": operation_document("Checkout"),
                "operationName": "Checkout",
                "variables": {"id": checkout},
            }
        )
        typename = orjson.dumps({"query": "{ __typename }"})
        bodies = {
            "a": ("a cached paymentMethods", methods),
            "b": ("b checkout query (sandbox in process)", checkout_query),
            "typename": ("{ __typename }", typename),
        }
        for key in only:
            name, body = bodies[key]
            runs = [await cpu_us_per_request(app, body, requests) for _ in range(ROUNDS)]
            print(f"{name}: {min(runs):.0f} µs CPU per request (best of {ROUNDS} x {requests})")
        if profile:
            name, body = bodies[profile]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(requests):
                await post(app, body)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(40)
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await task


async def prepared_ids(app: Any) -> tuple[str, str]:
    """A guest's checkout driven up to an order: (checkout id, opaque order id)."""

    async def run(name: str, variables: dict[str, Any]) -> Any:
        body = {"query": operation_document(name), "operationName": name, "variables": variables}
        status, answer = await post(app, orjson.dumps(body))
        assert status == 200, answer
        return orjson.loads(answer)["data"]

    cart = (await run("CreateCart", {"input": {"lineItems": [{"productId": 111, "quantity": 1}]}}))[
        "createCart"
    ]["cart"]
    address = {
        "firstName": "Jane", "lastName": "Doe", "email": "jane@example.com",
        "address1": "123 Main Street", "city": "Austin", "stateOrProvince": "Texas",
        "stateOrProvinceCode": "TX", "countryCode": "US", "postalCode": "78701",
    }  # fmt: skip
    await run("AddBillingAddress", {"input": {"checkoutId": cart["id"], "address": address}})
    consigned = await run(
        "AddConsignment",
        {
            "input": {
                "checkoutId": cart["id"],
                "address": address,
                "lineItems": [{"itemId": cart["lineItems"][0]["id"], "quantity": 1}],
            }
        },
    )
    consignment = consigned["addConsignment"]["checkout"]["consignments"][0]
    await run(
        "SelectShippingOption",
        {
            "input": {
                "checkoutId": cart["id"],
                "consignmentId": consignment["id"],
                "shippingOptionId": consignment["availableShippingOptions"][0]["id"],
            }
        },
    )
    created = await run("CreateOrder", {"input": {"checkoutId": cart["id"]}})
    return str(cart["id"]), str(created["createOrder"]["order"]["id"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--only", default="a,b,typename", help="a, b, typename (comma list)")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="typename",
        choices=("a", "b", "typename"),
        help="cProfile this request's path (default: typename)",
    )
    args = parser.parse_args()
    with ProcessGroup() as pg:
        # The store in its own process: the CPU and the profile are the gateway's alone.
        store = start_sandbox(pg)
        asyncio.run(main(args.requests, args.only.split(","), args.profile, store))
