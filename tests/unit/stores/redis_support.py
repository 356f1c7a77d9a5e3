"""What the Redis store tests share: the replicas' secret, a shopper, a clock, the keys."""

from __future__ import annotations

import time

from redis.asyncio import Redis

SECRET = b"replicas-share-this-secret-0123456789"
EMAIL = "jane@example.com"
ADDRESS = "203.0.113.7"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def all_keys(client: Redis) -> list[str]:
    return sorted([key.decode() async for key in client.scan_iter("*")])
