"""Webhook callbacks: order events POSTed to every active hook, after the API has answered.

Payloads follow docs/webhooks/callbacks (``store/order/created``,
``store/order/statusUpdated``; a status change also fires ``store/order/updated``, which
webhooks/events says "any changes to an existing order" fire): ``scope``, ``store_id``,
``data``, ``hash`` (SHA-1 of the JSON-encoded data), ``created_at`` and ``producer``.
Each delivery carries the hook's custom headers.

A delivery that gets no 2xx is retried after each of ``retry_delays`` (BigCommerce waits
60 s, 180 s, 300 s, ...; the sandbox's delays are short and configurable); after the last
failed retry the hook is deactivated, as BigCommerce does. Every attempt is recorded
(``SandboxServer.deliveries``). Only loopback hosts are ever called: a hook on any other
host gets a recorded, undelivered attempt and no traffic.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .hook_store import is_loopback
from .state import OrderEvent, SandboxState

DEFAULT_RETRY_DELAYS: tuple[float, ...] = (1.0, 5.0, 25.0)
DEFAULT_TIMEOUT_S = 10.0
NOT_LOOPBACK = "not delivered: the sandbox calls loopback destinations only"


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver one callback to one hook."""

    hook_id: int
    destination: str
    headers: dict[str, str]
    payload: dict[str, Any]
    attempt: int
    status: int | None
    error: str | None

    @property
    def scope(self) -> str:
        return str(self.payload["scope"])

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def order_payloads(event: OrderEvent, store_hash: str, store_id: int) -> list[dict[str, Any]]:
    base: dict[str, Any] = {"type": "order", "id": event.order_id}
    if event.kind == "created":
        scoped = [("store/order/created", base)]
    else:
        status = {
            "previous_status_id": event.previous_status_id,
            "new_status_id": event.new_status_id,
        }
        scoped = [
            ("store/order/statusUpdated", {**base, "status": status}),
            ("store/order/updated", base),
        ]
    created_at = int(time.time())
    return [
        {
            "scope": scope,
            "store_id": str(store_id),
            "data": data,
            "hash": hashlib.sha1(json.dumps(data).encode(), usedforsecurity=False).hexdigest(),
            "created_at": created_at,
            "producer": f"stores/{store_hash}",
        }
        for scope, data in scoped
    ]


class CallbackDispatcher:
    def __init__(
        self,
        state: SandboxState,
        store_hash: str,
        store_id: int,
        record: Callable[[Delivery], None],
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.state = state
        self.store_hash = store_hash
        self.store_id = store_id
        self.retry_delays = tuple(retry_delays)
        self.timeout_s = timeout_s
        self._record = record
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        state.order_listeners.append(self.on_order_event)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def configure(
        self, retry_delays: Sequence[float] | None = None, timeout_s: float | None = None
    ) -> None:
        if retry_delays is not None:
            self.retry_delays = tuple(retry_delays)
        if timeout_s is not None:
            self.timeout_s = timeout_s

    def on_order_event(self, event: OrderEvent) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for payload in order_payloads(event, self.store_hash, self.store_id):
            for hook in self.state.hooks.active_for(payload["scope"]):
                if _running_loop() is loop:
                    self._spawn(hook.id, payload)
                else:
                    loop.call_soon_threadsafe(self._spawn, hook.id, payload)

    def _spawn(self, hook_id: int, payload: dict[str, Any]) -> None:
        assert self._loop is not None
        task = self._loop.create_task(self._deliver(hook_id, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook_id: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        for attempt, delay in enumerate((0.0, *self.retry_delays), start=1):
            if delay:
                await asyncio.sleep(delay)
            hook = self.state.hooks.by_id(hook_id)
            if hook is None or not hook.is_active:
                return  # deleted or switched off meanwhile: nothing left to deliver to
            headers = {**(hook.headers or {}), "Content-Type": "application/json"}
            if not is_loopback(urlsplit(hook.destination).hostname or ""):
                self._record(
                    Delivery(hook_id, hook.destination, headers, payload, 1, None, NOT_LOOPBACK)
                )
                return
            status, error = await self._post(hook.destination, headers, body)
            self._record(
                Delivery(hook_id, hook.destination, headers, payload, attempt, status, error)
            )
            if status is not None and 200 <= status < 300:
                return
        hook = self.state.hooks.by_id(hook_id)
        if hook is not None:
            hook.is_active = False

    async def _post(
        self, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int | None, str | None]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        try:
            async with self._session.post(
                url, data=body, headers=headers, timeout=timeout, allow_redirects=False, ssl=False
            ) as response:
                await response.read()
                return response.status, None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return None, type(exc).__name__

    async def idle(self) -> None:
        """Wait until every scheduled delivery, retries included, has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def close(self) -> None:
        self.cancel()
        await self.idle()
        if self._session is not None:
            await self._session.close()
            self._session = None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
