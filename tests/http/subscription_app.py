"""A small app serving the subscription transports the way the gateway will wire them.

A Strawberry schema whose ``orderStatusChanged`` resolver has the shape the real one
will have (decode the opaque id, ``feed.watch``, reachability on the first snapshot,
then map snapshots to the type), fed by a real ``OrderStatusFeed`` over the
``OrderBook`` fake of the ``OrderReader`` port. Served by a real uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import strawberry
import uvicorn
from graphql import DocumentNode, GraphQLError, OperationType, parse, specified_rules, validate
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Scope
from strawberry.types import Info

from gateway.domain.order_events import OrderStatusFeed, OrderStatusSnapshot, statuses
from gateway.domain.order_ids import OrderIdCodec
from gateway.errors import GatewayError
from gateway.http.graceful_server import GracefulServer
from gateway.http.live_subscriptions import LiveSubscriptions
from gateway.http.one_write import OneWriteHttpToolsProtocol
from gateway.http.subscription_operations import Formatted, Params, SubscriptionOperations
from gateway.http.subscriptions_multipart import (
    multipart_subscription,
    wants_multipart_subscription,
)
from gateway.http.subscriptions_ws import GraphQLWebSocket, Refused
from gateway.http.webhooks import WEBHOOK_PATH, WebhookReceiver
from gateway.stores.order_event_bus import InProcessOrderEventBus
from tests import live_gateway
from tests.order_store import OrderBook

CLIENT_KEY = "test-client-key"
WEBHOOK_SECRET = "webhook-secret-for-the-tests-0123"
STORE_HASH = "teststore"
CODEC = OrderIdCodec(b"subscription-tests-secret-0123456789", STORE_HASH)
DOCUMENT = "subscription OrderStatus($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) { id number status statusId }\n}"  # noqa: E501


@dataclass
class Shopper:
    customer_id: int  # 0: a guest


@dataclass
class SubscriptionContext:
    feed: OrderStatusFeed
    shopper: Shopper


EXECUTIONS = {"status": 0}  # how often Order.status was resolved: shared results save it


@strawberry.type
class Order:
    id: strawberry.ID
    number: int
    status_name: strawberry.Private[str]
    status_id: int

    @strawberry.field
    def status(self) -> str:
        EXECUTIONS["status"] += 1
        return self.status_name


@functools.lru_cache(maxsize=1024)
def order_of(snapshot: OrderStatusSnapshot) -> Order:
    """One ``Order`` per snapshot value: every watcher gets the same object (shared results)."""
    return Order(
        id=strawberry.ID(CODEC.encode(snapshot.order_number)),
        number=snapshot.order_number,
        status_name=snapshot.status,
        status_id=snapshot.status_id,
    )


@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def order_status_changed(
        self, info: Info[SubscriptionContext, None], order_id: strawberry.ID
    ) -> AsyncIterator[Order]:
        context = info.context
        try:
            number = CODEC.decode(order_id)
            watch = await context.feed.watch(number)
        except GatewayError as error:
            raise GraphQLError(error.message, extensions={"code": error.code.value}) from None
        assert watch.current is not None
        owner = watch.current.customer_id
        if owner and owner != context.shopper.customer_id:  # another customer's order
            watch.close()
            raise GraphQLError("No order with this id.", extensions={"code": "NOT_FOUND"})

        async def orders() -> AsyncIterator[Order]:
            async for snapshot in statuses(watch):
                yield order_of(snapshot)

        return orders()


SCHEMA = strawberry.Schema(query=Query, subscription=Subscription)


def prepare(params: Mapping[str, Any]) -> DocumentNode | list[Formatted]:
    try:
        document = parse(params["query"] or "")
    except GraphQLError as error:
        return [{"message": error.message, "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}]
    errors = validate(SCHEMA._schema, document, specified_rules)
    if errors:
        return [
            {"message": e.message, "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}
            for e in errors
        ]
    return document


def shopper_of(token: str | None) -> Shopper:
    """Test tokens: ``customer-<id>``; anything else is refused."""
    if token is None:
        return Shopper(0)
    if token.startswith("customer-") and token[9:].isdigit():
        return Shopper(int(token[9:]))
    raise ValueError("bad token")


async def authenticate(payload: Mapping[str, Any], _scope: Scope) -> Shopper:
    key = payload.get("Authorization")
    if not isinstance(key, str) or not hmac.compare_digest(
        key.encode(), f"Bearer {CLIENT_KEY}".encode()
    ):
        raise Refused("Forbidden")
    token = payload.get("X-Shopper-Token")
    try:
        return shopper_of(token if isinstance(token, str) else None)
    except ValueError:
        raise Refused("Forbidden") from None


@dataclass
class SubscriptionServer:
    book: OrderBook
    feed: OrderStatusFeed
    live: LiveSubscriptions
    webhooks: WebhookReceiver
    server: GracefulServer
    task: asyncio.Task[None]
    url: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/graphql"

    async def stop(self) -> None:
        self.server.should_exit = True  # what SIGTERM does
        await self.task
        await self.webhooks.drain(5.0)
        await self.feed.close()


async def start_server(
    *,
    init_timeout_s: float = 3.0,
    max_subscriptions: int = 3,
    heartbeat_s: float = 5.0,
    allowed_origins: tuple[str, ...] | None = None,
) -> SubscriptionServer:
    book = OrderBook()
    feed = OrderStatusFeed(book, InProcessOrderEventBus())
    await feed.start()
    live = LiveSubscriptions()
    operations = SubscriptionOperations(SCHEMA._schema, prepare, shared_results=True)

    def context_of(shopper: Shopper, _scope: Scope) -> SubscriptionContext:
        return SubscriptionContext(feed, shopper)

    websocket = GraphQLWebSocket(
        operations,
        authenticate,
        context_of,
        live,
        init_timeout_s=init_timeout_s,
        max_subscriptions=max_subscriptions,
        allowed_origins=allowed_origins,
    )

    async def graphql_post(request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {CLIENT_KEY}":
            return JSONResponse({"errors": [{"message": "no key"}]}, status_code=401)
        params = Params.parse(orjson.loads(await request.body()))
        if params is None:
            return JSONResponse({"errors": [{"message": "bad"}]}, status_code=400)
        document = operations.document(params)
        if isinstance(document, list):
            return JSONResponse({"errors": document}, status_code=400)
        node, kind = document
        if kind is not OperationType.SUBSCRIPTION:
            return JSONResponse({"errors": [{"message": "queries are not served here"}]}, 400)
        if not wants_multipart_subscription(request.headers.get("accept")):
            return JSONResponse({"errors": [{"message": "multipart only"}]}, status_code=406)
        try:
            shopper = shopper_of(request.headers.get("x-shopper-token"))
        except ValueError:
            return JSONResponse({"errors": [{"message": "bad token"}]}, status_code=401)
        context = SubscriptionContext(feed, shopper)
        return await multipart_subscription(
            operations, node, params, context, live, heartbeat_s=heartbeat_s
        )

    webhooks = WebhookReceiver(WEBHOOK_SECRET, feed.notify, store_hash=STORE_HASH)
    app = Starlette(
        routes=[
            Route(WEBHOOK_PATH, webhooks),
            Route("/graphql", graphql_post, methods=["POST"]),
            WebSocketRoute("/graphql", websocket),
        ]
    )
    port = live_gateway.free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="wsproto",  # serve's WebSocket implementation (gateway/cli.py)
        http=OneWriteHttpToolsProtocol,  # and its HTTP one
    )
    server = GracefulServer(config, live, grace_s=5.0)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    return SubscriptionServer(book, feed, live, webhooks, server, task, f"http://127.0.0.1:{port}")


def order_id(number: int) -> str:
    return CODEC.encode(number)


async def nobody_subscribed(served: SubscriptionServer) -> None:
    """Wait until the server has noticed every earlier client leave (or fail)."""
    for _ in range(500):
        if served.feed.open_subscriptions == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{served.feed.open_subscriptions} subscriptions still open")
