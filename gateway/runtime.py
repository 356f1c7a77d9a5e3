"""The composition root: one upstream session and the domain objects built on it.

Opened once per process (in the Starlette lifespan) and closed on shutdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.bigcommerce import BigCommerceClient, UpstreamTransport
from gateway.domain.checkout import CheckoutFlows
from gateway.domain.idempotency import Idempotency, IdempotencyBackend, MemoryIdempotencyBackend
from gateway.domain.order_ids import OrderIdCodec
from gateway.domain.payment_methods import MemoryPaymentMethodsCache, PaymentMethodsCache
from gateway.domain.payments import PaymentFlows
from gateway.settings import Settings


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

    @classmethod
    async def open(cls, settings: Settings) -> Runtime:
        transport = UpstreamTransport(settings)
        await transport.start()
        codec = OrderIdCodec(settings.secret, settings.store_hash)
        client = BigCommerceClient(transport, settings, codec.encode)
        backend: IdempotencyBackend = MemoryIdempotencyBackend(ttl_s=settings.idempotency_ttl_s)
        methods_cache: PaymentMethodsCache = MemoryPaymentMethodsCache(
            settings.payment_methods_ttl_s
        )
        idempotency = Idempotency(backend, settings.secret, settings.idempotency_ttl_s)
        runtime = cls(
            settings=settings,
            transport=transport,
            codec=codec,
            idempotency=idempotency,
            methods_cache=methods_cache,
            checkout=CheckoutFlows(client, codec, idempotency),
            payments=PaymentFlows(client, codec, idempotency, methods_cache),
        )
        runtime.ready = True
        return runtime

    async def close(self) -> None:
        self.ready = False
        await self.transport.close()
