"""The server process of ``bench.subscriptions_ws``: the subscription components, alone.

``GraphQLWebSocket`` + ``OrderStatusFeed`` (in-process bus) + ``WebhookReceiver`` over a
Strawberry schema of the real resolver's shape; orders live in memory and
``POST /bench/status`` moves one (the stand-in for the store); ``GET /bench/rss`` answers
this process's resident memory in KiB.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

import strawberry
import uvicorn
from graphql import DocumentNode, parse, specified_rules, validate
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.types import Info

from gateway.domain.order_events import OrderStatusFeed, OrderStatusSnapshot, statuses
from gateway.http.graceful_server import GracefulServer
from gateway.http.live_subscriptions import LiveSubscriptions
from gateway.http.subscription_operations import SubscriptionOperations
from gateway.http.subscriptions_ws import GraphQLWebSocket, Refused
from gateway.http.webhooks import WebhookReceiver
from gateway.stores.order_event_bus import InProcessOrderEventBus

SECRET = "bench-webhook-secret-0123456789"  # noqa: S105 - a bench's own value
CLIENT_KEY = "bench-client-key"


class MemoryOrders:
    """The ``OrderReader`` port over a dict; every change moves the clock."""

    def __init__(self) -> None:
        self.version = 0
        self.status: dict[int, str] = {}
        self.ids: dict[str, int] = {}

    async def read_order_status(self, number: int) -> OrderStatusSnapshot:
        status = self.status.get(number, "Pending")
        status_id = self.ids.setdefault(status, len(self.ids))
        return OrderStatusSnapshot(number, status_id, status, self.version, 0)


@strawberry.type
class Order:
    number: int
    status: str


@functools.lru_cache(maxsize=1024)
def order_of(snapshot: OrderStatusSnapshot) -> Order:
    """One object per snapshot, so every watcher's event is the same (shared results)."""
    return Order(number=snapshot.order_number, status=snapshot.status)


@strawberry.type
class Query:
    ping: str = "pong"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def order_status_changed(
        self, info: Info[OrderStatusFeed, None], number: int
    ) -> AsyncIterator[Order]:
        watch = await info.context.watch(number)

        async def events() -> AsyncIterator[Order]:
            async for snapshot in statuses(watch):
                yield order_of(snapshot)

        return events()


SCHEMA = strawberry.Schema(query=Query, subscription=Subscription)
_DOCUMENTS: dict[str, DocumentNode | list[dict[str, Any]]] = {}


def prepare(params: Mapping[str, Any]) -> DocumentNode | list[dict[str, Any]]:
    text = params["query"] or ""
    if text not in _DOCUMENTS:
        node = parse(text)
        errors = validate(SCHEMA._schema, node, specified_rules)
        _DOCUMENTS[text] = [{"message": e.message} for e in errors] if errors else node
    return _DOCUMENTS[text]


async def authenticate(payload: Mapping[str, Any], _scope: Scope) -> None:
    if payload.get("Authorization") != f"Bearer {CLIENT_KEY}":
        raise Refused()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def serve(port: int) -> None:
    orders = MemoryOrders()
    feed = OrderStatusFeed(orders, InProcessOrderEventBus(), queue_per_subscriber=4)
    live = LiveSubscriptions()
    websocket = GraphQLWebSocket(
        SubscriptionOperations(SCHEMA._schema, prepare, shared_results=True),
        authenticate,
        lambda _identity, _scope: feed,
        live,
        max_subscriptions=5,
    )
    webhooks = WebhookReceiver(SECRET, feed.notify)

    async def set_status(request: Request) -> Response:
        body = await request.json()
        orders.version += 1
        orders.status[int(body["number"])] = str(body["status"])
        return Response(status_code=204)

    async def rss(_request: Request) -> Response:
        return Response(str(rss_kib(os.getpid())))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await feed.start()
        yield
        await webhooks.drain(5)
        await feed.close()

    app = Starlette(
        routes=[
            Route("/webhooks/bigcommerce", webhooks),
            Route("/bench/status", set_status, methods=["POST"]),
            Route("/bench/rss", rss),
        ],
        lifespan=lifespan,
    )

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        # WebSockets skip Starlette's router and middleware (all HTTP-only here): per
        # connection that is several objects fewer, for thousands of idle connections.
        if scope["type"] == "websocket":
            await websocket(scope, receive, send)
        else:
            await app(scope, receive, send)

    config = uvicorn.Config(
        asgi,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        backlog=8192,
        # As `serve` does (gateway/cli.py): the clients offer permessage-deflate, declined.
        ws="wsproto",
        ws_per_message_deflate=False,
    )
    GracefulServer(config, live).run()
