"""The store ports' implementations: in memory (one replica) and in Redis (shared by
several replicas, chosen by ``GATEWAY_REDIS_URL``); each owns its serialisation.

redis-py is imported only when Redis is configured: a process without it saves the
memory redis-py and what it pulls in take (measured ~7 MB of a serve process's RSS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.stores.redis_cache import RedisPaymentMethodsCache
    from gateway.stores.redis_idempotency import RedisIdempotencyBackend

# A lease outlives the request that holds it by this much more than a payment it sent may
# still run after the request's deadline (the order's lock is held until that payment ends).
LOCK_MARGIN_S = 5.0


def open_redis(
    settings: Settings,
) -> tuple[Redis, RedisIdempotencyBackend, RedisPaymentMethodsCache]:
    """The client (connects lazily) and the two shared backends on it."""
    from redis.asyncio import Redis

    from gateway.stores.redis_cache import RedisPaymentMethodsCache
    from gateway.stores.redis_idempotency import RedisIdempotencyBackend

    assert settings.redis_url is not None
    redis = Redis.from_url(
        settings.redis_url, socket_timeout=2.0, socket_connect_timeout=1.0, health_check_interval=30
    )
    backend = RedisIdempotencyBackend(
        redis, lock_ttl_s=settings.deadline_s + settings.payment_in_flight_s + LOCK_MARGIN_S
    )
    cache = RedisPaymentMethodsCache(redis, settings.payment_methods_ttl_s)
    return redis, backend, cache
