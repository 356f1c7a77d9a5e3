"""The outbound transport's connection count: one per new pooled connection, none per reuse."""

from __future__ import annotations

import asyncio

from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.observer import NullObserver
from gateway.bigcommerce.transport import UpstreamTransport
from gateway.sandbox import SandboxServer
from tests import live_gateway as live


class CountingObserver(NullObserver):
    def __init__(self) -> None:
        self.opened = 0

    def connection_opened(self) -> None:
        self.opened += 1


async def test_a_reused_connection_is_counted_once_and_a_new_one_again(
    sandbox: SandboxServer,
) -> None:
    settings = live.gateway_settings(sandbox)
    observer = CountingObserver()
    transport = UpstreamTransport(settings, observer)
    await transport.start()
    url = f"{sandbox.api_url}/stores/{settings.store_hash}/v2/orders?limit=1"
    headers = {"X-Auth-Token": settings.access_token, "Accept": "application/json"}

    async def read() -> None:
        await transport.call(CallClass.READ, "GET", url, headers=headers, endpoint="list_orders")

    try:
        for _ in range(3):
            await read()
        assert observer.opened == 1  # kept alive and reused
        await asyncio.gather(read(), read())  # one reuses the pooled connection, one opens
        assert observer.opened == 2
    finally:
        await transport.close()
