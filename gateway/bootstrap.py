"""The composition root: what the gateway is built from, wired in one place.

``Runtime`` is one upstream session, the stores and the domain flows on them,
opened once per process (in the app's lifespan) and closed on shutdown.
``create_app`` gives the HTTP app its runtime; ``app_from_env`` is the uvicorn
factory of each ``serve --workers N`` worker. Nothing imports the CLI.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.applications import Starlette

from gateway.bigcommerce import BigCommerceClient, BigCommerceCustomers, UpstreamTransport
from gateway.bigcommerce.hooks import BigCommerceHooks
from gateway.bigcommerce.observer import UpstreamObserver
from gateway.bigcommerce.order_status import BigCommerceOrderReader
from gateway.domain.cart_editing import CartEditingFlows
from gateway.domain.checkout import CheckoutFlows
from gateway.domain.idempotency import Idempotency
from gateway.domain.identity import SignIn
from gateway.domain.live_orders import LiveOrders
from gateway.domain.order_events import FeedObserver, OrderEventBus, OrderStatusFeed
from gateway.domain.order_ids import OrderIdCodec
from gateway.domain.orders import OrderFlows
from gateway.domain.ownership import OWNERSHIP_TTL_S, Owners
from gateway.domain.payments import PaymentFlows
from gateway.domain.ports import (
    IdempotencyBackend,
    Observer,
    OwnershipStore,
    PaymentMethodsCache,
    RevokedTokens,
    ShopperTokens,
    SignInAttempts,
)
from gateway.domain.shoppers import ShopperFlows
from gateway.domain.token_streams import TokenStreams
from gateway.domain.webhook_registration import Hook, Registered, register_order_hooks
from gateway.http.app import build_app
from gateway.observability import Observability
from gateway.settings import Settings
from gateway.stores.memory import MemoryIdempotencyBackend, MemoryPaymentMethodsCache
from gateway.stores.order_event_bus import InProcessOrderEventBus
from gateway.stores.ownership import MemoryOwnershipStore
from gateway.stores.revocation_notices import (
    AnnouncedRevokedTokens,
    InProcessRevocationNotices,
    RevocationNotices,
)
from gateway.stores.revocations import MemoryRevokedTokens
from gateway.stores.sign_in_attempts import MemorySignInAttempts
from gateway.tokens.jwks import JwksKeys
from gateway.tokens.service import shopper_tokens_from_settings

T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    transport: UpstreamTransport
    codec: OrderIdCodec
    idempotency: Idempotency
    methods_cache: PaymentMethodsCache
    checkout: CheckoutFlows
    payments: PaymentFlows
    feed: OrderStatusFeed  # live order status (issue 17): started here, closed with us
    live_orders: LiveOrders
    editing: CartEditingFlows
    orders: OrderFlows
    tokens: ShopperTokens
    shoppers: ShopperFlows
    ready: bool = field(default=False)
    redis: Any = None  # redis.asyncio.Redis when GATEWAY_REDIS_URL is set
    client_limit: Any = None  # the per-client limit shared in Redis (the guard asks it first)
    jwks: JwksKeys | None = None  # a federated graph's key set, when configured
    # Open subscriptions by shopper token: a sign-out on any replica ends them.
    token_streams: TokenStreams = field(default_factory=TokenStreams)
    forget_revocations: Callable[[], Awaitable[None]] | None = None

    @classmethod
    async def open(
        cls,
        settings: Settings,
        observer: UpstreamObserver | None = None,
        flow_observer: Observer | None = None,
        feed_observer: FeedObserver | None = None,
    ) -> Runtime:
        transport = UpstreamTransport(settings, observer)
        await transport.start()
        codec = OrderIdCodec(settings.secret, settings.store_hash)
        client = BigCommerceClient(transport, settings, codec.encode)
        backend: IdempotencyBackend = MemoryIdempotencyBackend(ttl_s=settings.idempotency_ttl_s)
        methods_cache: PaymentMethodsCache = MemoryPaymentMethodsCache(
            settings.payment_methods_ttl_s
        )
        redis = None
        if settings.redis_url:
            from gateway.stores import open_redis

            redis, backend, methods_cache = open_redis(settings)
        idempotency = Idempotency(
            backend, settings.secret, settings.idempotency_ttl_s, flow_observer
        )
        # Order events reach every replica's subscribers over Redis, else stay in process.
        bus = _order_event_bus(settings, redis)
        feed = OrderStatusFeed(BigCommerceOrderReader(client, codec.encode), bus, feed_observer)
        await feed.start()
        revoked, attempts = _identity_stores(settings, redis)
        owners = Owners(_ownership_store(settings, redis))
        notices = _revocation_notices(settings, redis)
        token_streams = TokenStreams()
        forget_revocations = await notices.subscribe(token_streams.revoked)
        tokens, jwks = shopper_tokens_from_settings(
            settings, AnnouncedRevokedTokens(revoked, notices)
        )
        accounts = BigCommerceCustomers(client)
        sign_in = SignIn(
            accounts,
            tokens,
            attempts,
            channel_id=settings.channel_id,
            min_duration_s=settings.signin_min_duration_s,
            owners=owners,
        )
        runtime = cls(
            settings=settings,
            transport=transport,
            codec=codec,
            idempotency=idempotency,
            methods_cache=methods_cache,
            checkout=CheckoutFlows(client, codec, idempotency, owners),
            feed=feed,
            live_orders=LiveOrders(feed, codec),
            payments=PaymentFlows(
                client,
                codec,
                idempotency,
                methods_cache,
                owners,
                flow_observer,
                in_flight_s=settings.payment_in_flight_s,
            ),
            tokens=tokens,
            shoppers=ShopperFlows(sign_in, tokens, accounts),
            editing=CartEditingFlows(client, owners),
            orders=OrderFlows(client),
            redis=redis,
            jwks=jwks,
            token_streams=token_streams,
            forget_revocations=forget_revocations,
        )
        if redis is not None and settings.client_rate_limit > 0:
            from gateway.stores.redis_client_rate_limit import RedisClientRateLimit

            runtime.client_limit = RedisClientRateLimit(
                redis, settings.secret, settings.client_rate_limit, settings.client_rate_window_s
            )
        runtime.ready = True
        return runtime

    async def is_ready(self) -> bool:
        """Open, and the shared store (when configured) answers within a second."""
        if not self.ready:
            return False
        if self.redis is None:
            return True
        from redis.exceptions import RedisError  # imported only where Redis is configured

        try:
            return bool(await asyncio.wait_for(self.redis.ping(), 1.0))
        except (OSError, TimeoutError, RedisError):
            return False

    async def close(self) -> None:
        self.ready = False
        await self.payments.settle_in_flight()  # before the client they use closes
        if self.forget_revocations is not None:
            await self.forget_revocations()
        await self.feed.close()
        await self.transport.close()
        if self.jwks is not None:
            await self.jwks.close()
        if self.redis is not None:
            await self.redis.aclose()


async def register_webhooks(settings: Settings, destination: str) -> list[Registered]:
    """``webhooks register``: the store's order hooks point at ``destination``, with the secret."""
    if not settings.webhook_secret:
        raise ValueError("a webhook secret is required to register hooks")
    secret = settings.webhook_secret
    return await _with_hooks(
        settings, lambda hooks: register_order_hooks(hooks, destination, secret)
    )


async def list_webhooks(settings: Settings) -> list[Hook]:
    """``webhooks list``: the hooks this API account has on the store."""
    return await _with_hooks(settings, lambda hooks: hooks.list_hooks())


async def _with_hooks(settings: Settings, work: Callable[[BigCommerceHooks], Awaitable[T]]) -> T:
    transport = UpstreamTransport(settings)
    await transport.start()
    try:
        codec = OrderIdCodec(settings.secret, settings.store_hash)
        return await work(BigCommerceHooks(BigCommerceClient(transport, settings, codec.encode)))
    finally:
        await transport.close()
        await asyncio.sleep(0)  # let aiohttp close its transports


def _ownership_store(settings: Settings, redis: Any) -> OwnershipStore:
    """Remembered owners: shared over Redis when configured, so that a cart adopted at
    sign-in on one replica is refused to a guest on every other at once."""
    if redis is None:
        return MemoryOwnershipStore(OWNERSHIP_TTL_S)
    from gateway.stores.redis_ownership import RedisOwnershipStore

    return RedisOwnershipStore(redis, settings.secret, settings.store_hash, OWNERSHIP_TTL_S)


def _revocation_notices(settings: Settings, redis: Any) -> RevocationNotices:
    """Revocations told to every replica: in process, or over Redis (imported only then)."""
    if redis is None:
        return InProcessRevocationNotices()
    from gateway.stores.redis_revocation_notices import RedisRevocationNotices

    return RedisRevocationNotices(redis, settings.store_hash)


def _order_event_bus(settings: Settings, redis: Any) -> OrderEventBus:
    """In process, or over Redis (redis-py imported only then: ~7 MB of RSS otherwise)."""
    if redis is None:
        return InProcessOrderEventBus()
    from gateway.stores.redis_order_event_bus import RedisOrderEventBus

    return RedisOrderEventBus(redis, settings.store_hash)


def _identity_stores(settings: Settings, redis: Any) -> tuple[RevokedTokens, SignInAttempts]:
    """Revoked tokens and sign-in failures: shared by the replicas over Redis when configured."""
    if redis is None:
        return MemoryRevokedTokens(), MemorySignInAttempts(
            settings.signin_max_failures,
            settings.signin_max_failures_per_address,
            settings.signin_window_s,
        )
    from gateway.stores.redis_revocations import RedisRevokedTokens
    from gateway.stores.redis_sign_in_attempts import RedisSignInAttempts

    return RedisRevokedTokens(redis), RedisSignInAttempts(
        redis,
        settings.secret,
        settings.signin_max_failures,
        settings.signin_max_failures_per_address,
        settings.signin_window_s,
    )


def create_app(settings: Settings, observability: Observability | None = None) -> Starlette:
    """The HTTP app, serving from a ``Runtime`` opened in its lifespan."""

    async def open_runtime(obs: Observability) -> Runtime:
        return await Runtime.open(settings, obs.observer, obs.observer, obs.live_status.feed)

    return build_app(settings, open_runtime, observability or Observability())


def app_from_env() -> Starlette:
    """The app of one ``checkout-gateway serve --workers N`` worker (a uvicorn factory)."""
    install_logging()
    return create_app(worker_settings())


def install_logging() -> None:
    """JSON lines with the request id, card data redacted (also run by each worker)."""
    from gateway.observability import logs
    from gateway.redaction import install

    logs.install()
    # PCI DSS: no card number or CVV in any log line, whichever logger wrote it.
    card_filter = install()  # the root logger's handlers
    for name in ("gateway", "uvicorn.error"):  # records logged there directly, too
        logging.getLogger(name).addFilter(card_filter)


# How a ``--workers N`` parent hands its embedded sandbox to the workers it spawns.
SANDBOX_ENV = (
    "GATEWAY_INTERNAL_SANDBOX_API_URL",
    "GATEWAY_INTERNAL_SANDBOX_PAYMENTS_URL",
    "GATEWAY_INTERNAL_SANDBOX_TOKEN",
)


def worker_settings() -> Settings:
    """A worker's settings: the environment, pointed at the parent's sandbox when it runs one."""
    settings = Settings.from_env()
    api_url, payments_url, token = (os.environ.get(name, "") for name in SANDBOX_ENV)
    if settings.sandbox and api_url:
        settings = settings.with_upstream(api_url, payments_url, "sandbox", token)
    return settings
