"""The composition root: one upstream session and the domain objects built on it.

Opened once per process (in the Starlette lifespan) and closed on shutdown.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from gateway.bigcommerce import BigCommerceClient, UpstreamTransport
from gateway.bigcommerce.observer import UpstreamObserver
from gateway.domain.checkout import CheckoutFlows
from gateway.domain.idempotency import Idempotency
from gateway.domain.order_ids import OrderIdCodec
from gateway.domain.payments import PaymentFlows
from gateway.domain.ports import IdempotencyBackend, Observer, PaymentMethodsCache
from gateway.settings import Settings
from gateway.stores.memory import MemoryIdempotencyBackend, MemoryPaymentMethodsCache


@dataclass
class Runtime:
    settings: Settings
    transport: UpstreamTransport
    codec: OrderIdCodec
    idempotency: Idempotency
    methods_cache: PaymentMethodsCache
    checkout: CheckoutFlows
    payments: PaymentFlows
    ready: bool = field(default=False)
    redis: Any = None  # redis.asyncio.Redis when GATEWAY_REDIS_URL is set

    @classmethod
    async def open(
        cls,
        settings: Settings,
        observer: UpstreamObserver | None = None,
        flow_observer: Observer | None = None,
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
        runtime = cls(
            settings=settings,
            transport=transport,
            codec=codec,
            idempotency=idempotency,
            methods_cache=methods_cache,
            checkout=CheckoutFlows(client, codec, idempotency),
            payments=PaymentFlows(client, codec, idempotency, methods_cache, flow_observer),
            redis=redis,
        )
        runtime.ready = True
        return runtime

    async def is_ready(self) -> bool:
        """Open, and the shared store (when configured) answers within a second."""
        if not self.ready:
            return False
        if self.redis is None:
            return True
        try:
            return bool(await asyncio.wait_for(self.redis.ping(), 1.0))
        except (OSError, TimeoutError, RedisError):
            return False

    async def close(self) -> None:
        self.ready = False
        await self.transport.close()
        if self.redis is not None:
            await self.redis.aclose()
