"""GraphQL subscriptions over WebSocket, ``graphql-transport-ws`` (graphql-ws, GraphQLWsLink).

Why hand-written, on plain ASGI: the handler must take the client key and the shopper
token from ``connection_init`` (browsers cannot set headers on a WebSocket), run through
our own document cache and limits, end with 1001 on shutdown, and hold thousands of
connections cheaply: one task per connection plus one per subscription, nothing else.

The protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md), as served here:
- with ``allowed_origins`` (the CORS origins of HTTP), a browser page from another origin
  is refused at the handshake (HTTP 403), as its queries would be;
- subprotocol ``graphql-transport-ws`` or close 4406;
- ``connection_init`` within ``init_timeout_s`` or close 4408; a second one: 4429;
  its payload ``{"Authorization": "Bearer <client key>", "X-Shopper-Token": ...}``
  goes to ``authenticate``, which raises ``Refused`` (close 4403) or returns the
  connection's identity; ``connection_ack`` follows;
- ``subscribe`` before the ack: 4401; an id already running: 4409; anything that is not
  a protocol message: 4400; a frame over ``max_message_bytes``: 1009;
- ``ping`` -> ``pong``; ``pong`` is ignored;
- each ``subscribe`` runs until its stream ends (``complete`` from the server), the
  client sends ``complete``, or an ``error`` ends it; only subscriptions are served
  (queries and mutations go over HTTP, with the deadline and idempotency of HTTP);
- more than ``max_subscriptions`` at once on one connection: ``error`` for that id;
- ``admit`` (the client's rate limit) may refuse a ``subscribe``: ``error`` for that id;
- ``hold`` may end the connection's subscriptions (its shopper token was revoked or has
  expired): ``error`` for each running id, and for each later ``subscribe``;
- shutdown (``LiveSubscriptions.closing``): close 1001.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import orjson
from graphql import OperationType
from starlette.types import Receive, Scope, Send

from gateway.http.live_subscriptions import LiveSubscriptions
from gateway.http.subscription_operations import (
    Formatted,
    Params,
    SubscriptionOperations,
    request_error,
)

log = logging.getLogger("gateway.subscriptions")

SUBPROTOCOL = "graphql-transport-ws"
TRANSPORT = "websocket"

GOING_AWAY = 1001
MESSAGE_TOO_BIG = 1009
TRY_AGAIN_LATER = 1013  # RFC 6455's registry: overloaded; graphql-ws reconnects with backoff
BAD_REQUEST = 4400
UNAUTHORIZED = 4401
FORBIDDEN = 4403
SUBPROTOCOL_NOT_ACCEPTABLE = 4406
INIT_TIMEOUT = 4408
SUBSCRIBER_EXISTS = 4409
TOO_MANY_INITS = 4429
INTERNAL_ERROR = 4500


class Refused(Exception):
    """``authenticate`` refuses the connection: closed with ``code`` (4403 by default).

    The reason goes to the client in the close frame: keep it short and generic.
    """

    def __init__(self, reason: str = "Forbidden", code: int = FORBIDDEN) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


# connection_init's payload (may be empty) and the ASGI scope -> the connection's identity
# (e.g. the client key and the verified shopper), or raises Refused.
Authenticate = Callable[[Mapping[str, Any], Scope], Awaitable[Any]]
# the identity and the scope -> the GraphQL context of one subscription
ContextFactory = Callable[[Any, Scope], Any]
# the identity and the scope -> the errors that refuse one ``subscribe`` (None: it runs)
Admit = Callable[[Any, Scope], Awaitable[list[Formatted] | None]]
# Ends a connection's subscriptions: each running one gets an ``error`` of these errors,
# and so does each later ``subscribe``.
End = Callable[[list[Formatted]], None]
# the identity and the connection's ``End``, once acknowledged -> the undo, called when
# the connection ends
Hold = Callable[[Any, End], Callable[[], None]]


class GraphQLWebSocket:
    """The ASGI app for a ``websocket`` scope on ``/graphql``."""

    def __init__(
        self,
        operations: SubscriptionOperations,
        authenticate: Authenticate,
        context_factory: ContextFactory,
        live: LiveSubscriptions,
        *,
        init_timeout_s: float = 3.0,
        max_subscriptions: int = 20,
        max_message_bytes: int = 128 * 1024,
        allowed_origins: tuple[str, ...] | None = None,
        admit: Admit | None = None,
        hold: Hold | None = None,
    ) -> None:
        self.operations = operations
        self.admit = admit
        self.hold = hold
        self.authenticate = authenticate
        self.context_factory = context_factory
        self.live = live
        self.init_timeout_s = init_timeout_s
        self.max_subscriptions = max_subscriptions
        self.max_message_bytes = max_message_bytes
        self.allowed_origins = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":  # pragma: no cover - routed here for websockets only
            raise RuntimeError("GraphQLWebSocket serves websocket scopes only")
        with self.live.stream():
            await _Connection(self, scope, receive, send).run()


class _Connection:
    __slots__ = (
        "_send",
        "_send_lock",
        "acknowledged",
        "closed",
        "closing",
        "ended",
        "identity",
        "init_received",
        "receive",
        "release",
        "scope",
        "server",
        "subscriptions",
    )

    def __init__(self, server: GraphQLWebSocket, scope: Scope, receive: Receive, send: Send):
        self.server = server
        self.scope = scope
        self.receive = receive
        self._send = send
        self._send_lock = asyncio.Lock()
        self.closed = False
        self.init_received = False
        self.identity: Any = None
        self.acknowledged = False
        self.subscriptions: dict[str, asyncio.Task[None]] = {}
        self.closing: asyncio.Task[None] | None = None  # a close started by a timer or drain
        self.ended: list[Formatted] | None = None  # set by ``hold``'s End: refuse all
        self.release: Callable[[], None] | None = None  # ``hold``'s undo

    # --- sending ----------------------------------------------------------------------

    async def send(self, message: Formatted) -> None:
        await self.send_text(orjson.dumps(message).decode())

    async def send_text(self, text: str) -> None:
        if self.closed:
            return
        async with self._send_lock:
            if self.closed:
                return
            try:
                await self._send({"type": "websocket.send", "text": text})
            except OSError:  # the client left meanwhile (uvicorn's ClientDisconnected)
                self.closed = True

    async def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        async with self._send_lock:
            if self.closed:
                return
            self.closed = True
            with contextlib.suppress(OSError, RuntimeError):  # the client is already gone
                await self._send({"type": "websocket.close", "code": code, "reason": reason})
        for task in list(self.subscriptions.values()):
            task.cancel()

    # --- the connection -----------------------------------------------------------------

    async def run(self) -> None:
        first = await self.receive()
        if first["type"] != "websocket.connect":
            return
        if not self._origin_allowed():
            self.server.live.observer.connection_refused(TRANSPORT, "origin")
            await self._send({"type": "websocket.close", "code": 1008})  # before accept: 403
            return
        if SUBPROTOCOL not in self.scope.get("subprotocols", ()):
            await self._send({"type": "websocket.accept"})
            self.server.live.observer.connection_refused(TRANSPORT, "subprotocol")
            await self.close(SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable")
            await self._until_disconnect()
            return
        await self._send({"type": "websocket.accept", "subprotocol": SUBPROTOCOL})
        # Timers and callbacks, not tasks: an idle connection costs no task but its own.
        init_timer = asyncio.get_running_loop().call_later(
            self.server.init_timeout_s, self._init_timed_out
        )
        forget_closer = self.server.live.on_closing(self._shutting_down)
        try:
            while True:
                message = await self.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message["type"] == "websocket.receive" and not self.closed:
                    await self._on_frame(message)
        finally:
            init_timer.cancel()
            forget_closer()
            if self.release is not None:
                self.release()
            self.closed = True
            tasks = list(self.subscriptions.values())
            for task in tasks:
                task.cancel()
            if self.closing is not None:
                tasks.append(self.closing)
            await asyncio.gather(*tasks, return_exceptions=True)

    def _origin_allowed(self) -> bool:
        allowed = self.server.allowed_origins
        if allowed is None or "*" in allowed:
            return True
        headers = self.scope.get("headers", ())
        origins = [v for k, v in headers if k == b"origin"]
        # No Origin: not a browser page (browsers always send it on a WebSocket).
        if not origins:
            return True
        origin = origins[0].decode("latin-1")
        # The gateway's own pages (GraphiQL) are same-origin: never a cross-site socket.
        hosts = [v.decode("latin-1") for k, v in headers if k == b"host"]
        same_origin = bool(hosts) and origin.partition("://")[2] == hosts[0]
        return same_origin or origin in allowed

    async def _until_disconnect(self) -> None:
        while (await self.receive())["type"] != "websocket.disconnect":
            pass

    def _close_soon(self, code: int, reason: str) -> None:
        if not self.closed and self.closing is None:
            self.closing = asyncio.ensure_future(self.close(code, reason))

    def _shutting_down(self) -> None:
        self._close_soon(GOING_AWAY, "Server shutting down")

    def _init_timed_out(self) -> None:
        if not self.init_received:
            self.server.live.observer.connection_refused(TRANSPORT, "init_timeout")
            self._close_soon(INIT_TIMEOUT, "Connection initialisation timeout")

    # --- messages -----------------------------------------------------------------------

    async def _on_frame(self, frame: Mapping[str, Any]) -> None:
        text = frame.get("text")
        if text is None:
            await self.close(BAD_REQUEST, "Binary messages are not supported")
            return
        if len(text) > self.server.max_message_bytes:  # characters >= bytes / 4: cheap bound
            await self.close(MESSAGE_TOO_BIG, "Message too big")
            return
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            await self.close(BAD_REQUEST, "Invalid message received")
            return
        kind = message.get("type") if isinstance(message, dict) else None
        handler = {
            "connection_init": self._on_init,
            "ping": self._on_ping,
            "pong": self._on_pong,
            "subscribe": self._on_subscribe,
            "complete": self._on_complete,
        }.get(kind if isinstance(kind, str) else "")
        if handler is None:
            await self.close(BAD_REQUEST, "Invalid message received")
            return
        await handler(message)

    async def _on_init(self, message: dict[str, Any]) -> None:
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self.close(BAD_REQUEST, "Invalid message received")
            return
        if self.init_received:
            await self.close(TOO_MANY_INITS, "Too many initialisation requests")
            return
        self.init_received = True
        try:
            self.identity = await self.server.authenticate(payload or {}, self.scope)
        except Refused as refused:
            reason = "rate_limited" if refused.code == TRY_AGAIN_LATER else "auth"
            self.server.live.observer.connection_refused(TRANSPORT, reason)
            await self.close(refused.code, refused.reason)
            return
        self.acknowledged = True
        if self.server.hold is not None:
            self.release = self.server.hold(self.identity, self._end)
        await self.send({"type": "connection_ack"})

    def _end(self, errors: list[Formatted]) -> None:
        """Every running subscription ends with an ``error``; so will every later one."""
        self.ended = errors
        for ident, task in list(self.subscriptions.items()):
            task.cancel()
            self.subscriptions[ident] = asyncio.create_task(self._refuse(ident, errors))

    async def _refuse(self, ident: str, errors: list[Formatted]) -> None:
        try:
            await self.send({"id": ident, "type": "error", "payload": errors})
        finally:
            if self.subscriptions.get(ident) is asyncio.current_task():
                del self.subscriptions[ident]

    async def _on_ping(self, message: dict[str, Any]) -> None:
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self.close(BAD_REQUEST, "Invalid message received")
            return
        await self.send({"type": "pong"})

    async def _on_pong(self, message: dict[str, Any]) -> None:
        pass  # an answer to nothing we ask, or a client's keep-alive: nothing to do

    async def _on_complete(self, message: dict[str, Any]) -> None:
        ident = message.get("id")
        if not isinstance(ident, str) or not ident:
            await self.close(BAD_REQUEST, "Invalid message received")
            return
        task = self.subscriptions.pop(ident, None)
        if task is not None:
            task.cancel()  # the client left: no complete back (it asked for the end)

    async def _on_subscribe(self, message: dict[str, Any]) -> None:
        ident = message.get("id")
        params = Params.parse(message.get("payload"))
        if not isinstance(ident, str) or not ident or params is None:
            await self.close(BAD_REQUEST, "Invalid message received")
            return
        if not self.acknowledged:
            await self.close(UNAUTHORIZED, "Unauthorized")
            return
        if ident in self.subscriptions:
            await self.close(SUBSCRIBER_EXISTS, f"Subscriber for {ident[:64]} already exists")
            return
        refused = self.ended
        if refused is None and self.server.admit is not None:
            # (the token may have ended while the limit was asked)
            refused = await self.server.admit(self.identity, self.scope) or self.ended
        if refused is not None:
            await self.send({"id": ident, "type": "error", "payload": refused})
            return
        if len(self.subscriptions) >= self.server.max_subscriptions:
            limit = self.server.max_subscriptions
            error = request_error(
                f"At most {limit} subscriptions may run at once on one connection.",
                "TOO_MANY_SUBSCRIPTIONS",
            )
            await self.send({"id": ident, "type": "error", "payload": [error]})
            return
        task = asyncio.create_task(self._run(ident, params))
        self.subscriptions[ident] = task

    async def _run(self, ident: str, params: Params) -> None:
        try:
            with self.server.live.subscription(TRANSPORT):
                await self._stream(ident, params)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("a subscription failed")
            error = request_error("Unexpected error.", "INTERNAL_SERVER_ERROR")
            await self.send({"id": ident, "type": "error", "payload": [error]})
        finally:
            if self.subscriptions.get(ident) is asyncio.current_task():
                del self.subscriptions[ident]

    async def _stream(self, ident: str, params: Params) -> None:
        operations = self.server.operations
        document = operations.document(params)
        if isinstance(document, list):
            await self.send({"id": ident, "type": "error", "payload": document})
            return
        node, kind = document
        if kind is not OperationType.SUBSCRIPTION:
            error = request_error(
                "Only subscriptions are served over WebSocket; send queries and mutations "
                "over HTTP.",
                "BAD_REQUEST",
            )
            await self.send({"id": ident, "type": "error", "payload": [error]})
            return
        context = self.server.context_factory(self.identity, self.scope)
        stream = await operations.start(node, params, context)
        if isinstance(stream, list):
            await self.send({"id": ident, "type": "error", "payload": stream})
            return
        await self._forward(ident, stream)

    async def _forward(self, ident: str, stream: AsyncIterator[bytes]) -> None:
        head = b'{"id":' + orjson.dumps(ident) + b',"type":"next","payload":'
        try:
            async for result in stream:  # the result's JSON, maybe shared with others
                await self.send_text((head + result + b"}").decode())
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        await self.send({"id": ident, "type": "complete"})
