"""``POST /webhooks/bigcommerce``: BigCommerce's order webhooks, turned into hints for the feed.

Why it answers first and works after: BigCommerce counts a slow or non-2xx answer as a
failed delivery, retries it, and deactivates a hook whose destination keeps failing. So
the receiver checks only what it must before answering (the secret, the size, that the
JSON is a callback), answers 200 at once, and hands the order number to ``notify`` (the
feed: it reads the order, dedupes, fans out) in a background task. Those tasks are a
bounded set, drained on shutdown.

Who may post: BigCommerce sends the custom headers the hook was created with; the hook is
created with ``X-Webhook-Secret: <GATEWAY_WEBHOOK_SECRET>`` (``checkout-gateway webhooks
register``, and the sandbox in sandbox mode). No header: 401; a wrong one: 403, compared
in constant time, and nothing is read or told. The payload is only a hint either way: a
callback with the secret but a made-up status changes nothing, the order read decides.

Answers: 200 (handled or ignored: unknown scope, another store), 400 (not JSON, not a
callback of a known scope), 401/403 (secret), 405, 413 (over ``max_body_bytes``), 503
(too many callbacks pending: BigCommerce retries later).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson
from starlette.types import Receive, Scope, Send

log = logging.getLogger("gateway.webhooks")

WEBHOOK_PATH = "/webhooks/bigcommerce"
SECRET_HEADER = "X-Webhook-Secret"  # noqa: S105 - a header name, not a secret
ORDER_SCOPES = frozenset({"store/order/statusUpdated", "store/order/created"})

# order number, delivery key (the callback's ``hash``: one per event, the same on retries)
Notify = Callable[[int, str], Awaitable[None]]


class WebhookObserver(Protocol):
    """Facts for metrics (wired later). One metrics object can implement this and the
    feed's ``FeedObserver`` (duplicates, deliveries) and ``SubscriptionObserver`` (open
    subscriptions gauge) together."""

    def callback_received(self, scope: str) -> None: ...
    def callback_refused(self, reason: str) -> None: ...
    def callback_ignored(self, reason: str) -> None: ...


class SilentWebhookObserver:
    def callback_received(self, scope: str) -> None:
        pass

    def callback_refused(self, reason: str) -> None:
        pass

    def callback_ignored(self, reason: str) -> None:
        pass


class BodyTooLarge(Exception):
    pass


class WebhookReceiver:
    """The ASGI app for ``POST /webhooks/bigcommerce``."""

    def __init__(
        self,
        secret: str,
        notify: Notify,
        *,
        store_hash: str | None = None,
        observer: WebhookObserver | None = None,
        max_body_bytes: int = 64 * 1024,
        max_pending: int = 1000,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the webhook secret must be at least 16 characters")
        self._secret = secret.encode()
        self._notify = notify
        self._producer = f"stores/{store_hash}" if store_hash else None
        self._observer = observer or SilentWebhookObserver()
        self.max_body_bytes = max_body_bytes
        self.max_pending = max_pending
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - routed here for http only
            raise RuntimeError("WebhookReceiver serves http scopes only")
        if scope["method"] != "POST":
            await _answer(send, 405, {"allow": "POST"})
            return
        refusal = self._check_secret(scope)
        if refusal is not None:
            self._observer.callback_refused("secret")
            await _answer(send, refusal)
            return
        try:
            body = await self._body(scope, receive)
        except BodyTooLarge:
            self._observer.callback_refused("too_large")
            await _answer(send, 413)
            return
        hint = self._hint(body)
        if isinstance(hint, int):  # an answer without work (400, or 200 for ignored)
            await _answer(send, hint)
            return
        if len(self._pending) >= self.max_pending:
            self._observer.callback_refused("overloaded")
            await _answer(send, 503, {"retry-after": "60"})
            return
        await _answer(send, 200)  # before the work: BigCommerce must never wait for it
        task = asyncio.create_task(self._work(*hint))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _check_secret(self, scope: Scope) -> int | None:
        wanted = SECRET_HEADER.lower().encode()
        given = [value for name, value in scope["headers"] if name == wanted]
        if not given:
            return 401
        if len(given) != 1 or not hmac.compare_digest(given[0], self._secret):
            return 403
        return None

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    if int(value) > self.max_body_bytes:
                        raise BodyTooLarge
                except ValueError:
                    pass  # the server rejects a malformed length itself
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:  # a lying or missing Content-Length
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _hint(self, body: bytes) -> tuple[int, str] | int:
        """(order number, delivery key), or the status to answer without any work."""
        try:
            callback = orjson.loads(body)
        except orjson.JSONDecodeError:
            self._observer.callback_refused("malformed")
            return 400
        if not isinstance(callback, dict) or not isinstance(callback.get("scope"), str):
            self._observer.callback_refused("malformed")
            return 400
        scope: str = callback["scope"]
        if scope not in ORDER_SCOPES:
            self._observer.callback_ignored("scope")
            return 200
        producer = callback.get("producer")
        if self._producer is not None and isinstance(producer, str) and producer != self._producer:
            self._observer.callback_ignored("store")  # another store's hook points here
            return 200
        number = _order_number(callback.get("data"))
        if number is None:
            self._observer.callback_refused("malformed")
            return 400
        self._observer.callback_received(scope)
        given = callback.get("hash")
        key = given if isinstance(given, str) and given else hashlib.sha256(body).hexdigest()
        return number, f"{scope}|{key}"

    async def _work(self, number: int, key: str) -> None:
        try:
            await self._notify(number, key)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("order webhook: the order could not be handled")

    async def drain(self, timeout_s: float) -> None:
        """Wait for the work of callbacks already answered; cancel what is left at the end."""
        if not self._pending:
            return
        _done, left = await asyncio.wait(set(self._pending), timeout=timeout_s)
        for task in left:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*left, return_exceptions=True)


def _order_number(data: Any) -> int | None:
    if not isinstance(data, dict) or data.get("type", "order") != "order":
        return None
    number = data.get("id")
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**63:
        return None
    return number


async def _answer(send: Send, status: int, headers: dict[str, str] | None = None) -> None:
    # No body: BigCommerce advises against bodies and headers in webhook answers.
    raw = [(b"content-length", b"0")]
    raw.extend((name.encode(), value.encode()) for name, value in (headers or {}).items())
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
