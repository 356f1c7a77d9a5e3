"""Accepted payment methods cached in Redis, shared by every replica.

An entry holds what BigCommerce answered for an order: the methods and the
shopper's stored instruments as BigCommerce masks them (last 4, brand, email),
never a card number. Within one process concurrent misses still share one load
(``AsyncTTLCache`` used with no TTL of its own, only for its single-flight).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.caching import AsyncTTLCache
from gateway.domain.models import PaymentMethod, SupportedInstrument
from gateway.domain.ports import Loader

log = logging.getLogger("gateway.stores")


class RedisPaymentMethodsCache:
    def __init__(self, redis: Redis, ttl_s: float) -> None:
        self._redis = redis
        self._ttl_ms = max(int(ttl_s * 1000), 1)
        self._flights: AsyncTTLCache[str, tuple[list[PaymentMethod], bool]] = AsyncTTLCache(
            10_000, 0
        )

    async def get(
        self, store: str, order_number: int, load: Loader
    ) -> tuple[list[PaymentMethod], bool]:
        key = f"pm:{store}:{order_number}"

        async def from_redis_or_upstream() -> tuple[list[PaymentMethod], bool]:
            try:
                raw = await self._redis.get(key)
            except RedisError:
                log.warning("payment-method cache unreachable: reading from BigCommerce")
                return await load(), False
            if raw is not None:
                return [_method(m) for m in orjson.loads(raw)], True
            methods = await load()
            encoded = orjson.dumps([_plain(m) for m in methods])
            try:
                await self._redis.set(key, encoded, px=self._ttl_ms)
            except RedisError:
                log.warning("payment-method cache unreachable: entry not stored")
            return methods, False

        (methods, cached), _shared = await self._flights.get_or_load(key, from_redis_or_upstream)
        return methods, cached

    async def drop(self, store: str, order_number: int) -> None:
        key = f"pm:{store}:{order_number}"
        self._flights.invalidate(key)
        try:
            await self._redis.delete(key)
        except RedisError:
            # The entry expires with its TTL; a paid order's methods are only read, never used.
            log.warning("payment-method cache unreachable: entry left to expire")


def _plain(method: PaymentMethod) -> dict[str, Any]:
    # Only what every shopper sees: a method carries no stored instruments.
    return asdict(method)


def _method(data: dict[str, Any]) -> PaymentMethod:
    # An entry written before stored instruments left PaymentMethod keeps them under
    # "stored_instruments": they are never read back.
    return PaymentMethod(
        id=data["id"],
        name=data["name"],
        type=data["type"],
        test_mode=data["test_mode"],
        supported_instruments=[SupportedInstrument(**s) for s in data["supported_instruments"]],
    )
