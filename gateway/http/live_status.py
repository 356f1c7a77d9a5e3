"""Live order status on the app: the two subscription transports and the webhook receiver.

Why a module of its own: ``app.py`` only mounts what this builds. Both transports run
through the endpoint's ``prepare`` (document cache, APQ, limit rules: the same as
queries), pass the same client key check (constant time) and answer the same
``Subscription`` type; the shopper is whoever the token verifies (``VerifyShopper``),
checked once when the subscription starts.

- ``POST /graphql`` with ``Accept: multipart/mixed;subscriptionSpec=1.0`` (Apollo
  Client's HttpLink, Apollo Router): the endpoint hands a subscription here; any other
  Accept is answered 406 (a subscription has no single JSON answer).
- ``/graphql`` as a WebSocket, ``graphql-transport-ws``: client key and shopper token in
  ``connection_init``'s payload; browser pages only from the CORS origins. The
  per-client rate limit of HTTP counts its ``connection_init`` (over it: close 1013, try
  again later) and each ``subscribe`` (over it: ``error`` ``RATE_LIMITED``).
- A subscription opened with a shopper token ends when the token is revoked (``signOut``,
  on any replica) or expires: ``error`` ``UNAUTHENTICATED`` for each of the socket's
  subscriptions (and its later ones), or the multipart stream's error part and its end.
- ``POST /webhooks/bigcommerce``: mounted when a webhook secret is set.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import DocumentNode, GraphQLSchema
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from gateway.domain.identity import SHOPPER_TOKEN_HEADER, ShopperIdentity, unauthenticated
from gateway.domain.live_orders import LiveOrders
from gateway.domain.order_events import OrderStatusFeed
from gateway.domain.token_streams import TokenStreams
from gateway.errors import GatewayError
from gateway.http.client_limit import ClientRateLimit, client_identity, rate_limited_error
from gateway.http.gc_pacing import QuietCollector
from gateway.http.graphql_http import GraphQLEndpoint, request_error
from gateway.http.live_subscriptions import LiveSubscriptions, SubscriptionObserver
from gateway.http.security import matching_key
from gateway.http.subscription_operations import (
    Formatted,
    Params,
    SubscriptionOperations,
)
from gateway.http.subscription_operations import (
    request_error as graphql_error,
)
from gateway.http.subscriptions_multipart import (
    multipart_subscription,
    wants_multipart_subscription,
)
from gateway.http.subscriptions_ws import TRY_AGAIN_LATER, End, GraphQLWebSocket, Refused
from gateway.http.webhooks import WebhookObserver, WebhookReceiver
from gateway.schema.subscriptions import SubscriptionContext
from gateway.settings import Settings


class LiveServices(Protocol):
    """What subscriptions serve from (the runtime, opened in the lifespan)."""

    live_orders: LiveOrders
    feed: OrderStatusFeed
    token_streams: TokenStreams


# The runtime and a shopper token (None: no token) -> the verified shopper (None: a guest).
# Raises GatewayError for a token that does not verify: never a silent guest.
VerifyShopper = Callable[[Any, str | None], Awaitable[ShopperIdentity | None]]


@dataclass
class LiveStatus:
    live: LiveSubscriptions
    operations: SubscriptionOperations
    websocket: GraphQLWebSocket
    webhooks: WebhookReceiver | None

    async def drain(self, timeout_s: float) -> None:
        """Shutdown: answered callbacks finish, then every stream ends (1001 / last boundary)."""
        if self.webhooks is not None:
            await self.webhooks.drain(timeout_s)
        await self.live.drain(timeout_s)


def build_live_status(
    settings: Settings,
    schema: GraphQLSchema,
    endpoint: GraphQLEndpoint,
    runtime_of: Callable[[], LiveServices],
    base_context: Callable[[Any, str | None], SubscriptionContext],
    *,
    verify_shopper: VerifyShopper,
    observer: SubscriptionObserver | None = None,
    webhook_observer: WebhookObserver | None = None,
    client_limit: ClientRateLimit | None = None,
) -> tuple[LiveStatus, Callable[[Request, DocumentNode, dict[str, Any]], Awaitable[Response]]]:
    """The transports, and the endpoint's ``subscribe`` for multipart requests.

    ``base_context(runtime, client_key)`` is the query context made a subscription's; this
    module adds the live orders and the shopper.
    """
    # A burst of subscriptions owes the garbage collector a full pass: paid when it is over,
    # not by the next event's fan-out (gc_pacing.py).
    live = LiveSubscriptions(observer, collector=QuietCollector())
    token_ended = graphql_error(unauthenticated().message, "UNAUTHENTICATED")
    operations = SubscriptionOperations(
        schema,
        endpoint.prepare,
        hide_suggestions=not settings.sandbox and not settings.debug,
        shared_results=True,  # Order fields read the event alone (schema/subscriptions.py)
    )

    def context_for(client_key: str | None, shopper: ShopperIdentity | None) -> Any:
        runtime = runtime_of()
        context = base_context(runtime, client_key)
        context.live_orders = runtime.live_orders
        context.shopper = shopper
        return context

    async def authenticate(payload: Mapping[str, Any], scope: Scope) -> Any:
        authorization = payload.get("Authorization")
        client_key = None
        if settings.client_keys:
            given = authorization if isinstance(authorization, str) else None
            client_key = matching_key(given, settings.client_keys)
            if client_key is None:
                raise Refused("Forbidden")
        if client_limit is not None:
            retry_after = await client_limit.retry_after_s(client_identity(client_key, scope))
            if retry_after:
                raise Refused(f"Too many requests; retry in {retry_after} s", TRY_AGAIN_LATER)
        token = payload.get(SHOPPER_TOKEN_HEADER)
        if token is not None and not isinstance(token, str):
            raise Refused("Forbidden")
        try:
            shopper = await verify_shopper(runtime_of(), token or None)
        except GatewayError:
            raise Refused("Forbidden") from None
        return client_key, shopper

    def ws_context(identity: Any, _scope: Scope) -> Any:
        client_key, shopper = identity
        return context_for(client_key, shopper)

    async def admit(identity: Any, scope: Scope) -> list[Formatted] | None:
        assert client_limit is not None  # only passed on with a limit
        retry_after = await client_limit.retry_after_s(client_identity(identity[0], scope))
        return [rate_limited_error(retry_after)] if retry_after else None

    def hold(shopper: ShopperIdentity | None, end: End) -> Callable[[], None]:
        # The token is dead: what a query with it would get, UNAUTHENTICATED.
        return runtime_of().token_streams.hold(shopper, lambda: end([token_ended]))

    websocket = GraphQLWebSocket(
        operations,
        authenticate,
        ws_context,
        live,
        max_subscriptions=settings.max_subscriptions_per_connection,
        max_message_bytes=settings.max_body_bytes,
        allowed_origins=settings.cors_origins or None,
        admit=admit if client_limit is not None else None,
        hold=lambda identity, end: hold(identity[1], end),
    )

    async def subscribe(request: Request, document: DocumentNode, raw: dict[str, Any]) -> Response:
        if not wants_multipart_subscription(request.headers.get("accept")):
            return request_error(
                406,
                "Subscriptions stream: send Accept: multipart/mixed;subscriptionSpec=1.0, "
                "or use the graphql-transport-ws WebSocket.",
                "NOT_ACCEPTABLE",
            )
        params = Params.parse(raw)
        if params is None:  # pragma: no cover - the endpoint checked the types already
            return request_error(400, "The request has the wrong JSON types.", "BAD_REQUEST")
        # The shopper the HTTP endpoint verified from X-Shopper-Token (None: a guest).
        shopper = request.scope.get("gateway.shopper")
        context = context_for(request.scope.get("gateway.client_key"), shopper)
        context.facts = request.scope.get("gateway.facts", {})
        return await multipart_subscription(
            operations,
            document,
            params,
            context,
            live,
            heartbeat_s=settings.subscription_heartbeat_s,
            hold=lambda end: hold(shopper, end),
        )

    webhooks = None
    if settings.webhook_secret:

        async def notify(number: int, key: str) -> None:
            await runtime_of().feed.notify(number, key)

        webhooks = WebhookReceiver(
            settings.webhook_secret,
            notify,
            store_hash=settings.store_hash,
            observer=webhook_observer,
        )
    return LiveStatus(live, operations, websocket, webhooks), subscribe
