"""GraphQL subscriptions over HTTP multipart responses (Apollo's ``subscriptionSpec=1.0``).

Why: Apollo Client's HttpLink and Apollo Router hold subscriptions open over plain HTTP,
which passes the same proxies, CORS rules and client-key check as queries. The endpoint
calls ``multipart_subscription`` when a subscription arrives with an Accept header that
names ``multipart/mixed`` with ``subscriptionSpec=1.0`` (quoted or not).

Framing (apollographql.com/docs/graphos/routing/operations/subscriptions/multipart-protocol):
the response is ``multipart/mixed;boundary="graphql";subscriptionSpec="1.0"``; every part
is ``Content-Type: application/json`` holding ``{"payload": <GraphQL result>}``; a
heartbeat part ``{}`` goes out every ``heartbeat_s`` while the stream is quiet; the body
ends with ``--graphql--``. Each part is followed at once by the next delimiter, because
clients emit a part only when they see the delimiter after it: an event is never held
back until the next one. The stream ends when the subscription ends, the client leaves
(watched on ``receive``, not only noticed at the next write) or the server shuts down,
or ``hold`` ends it (the shopper token was revoked): one error part, then the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from graphql import DocumentNode
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gateway.http.live_subscriptions import LiveSubscriptions
from gateway.http.subscription_operations import (
    Formatted,
    Params,
    SubscriptionOperations,
    request_error,
)

log = logging.getLogger("gateway.subscriptions")

TRANSPORT = "multipart"
CONTENT_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"'
# The body opens with a delimiter; every part then ends with the next one.
OPENING = b"\r\n--graphql"
PART_HEAD = b"\r\nContent-Type: application/json\r\n\r\n"
DELIMITER = b"\r\n--graphql"
CLOSE = b"--\r\n"
HEARTBEAT = b"{}"

# Ends a stream with these errors (one part ``{"payload": null, "errors": [...]}``).
End = Callable[[list[Formatted]], None]
# The stream's ``End``, once it runs -> the undo, called when it ends.
Hold = Callable[[End], Callable[[], None]]


def wants_multipart_subscription(accept: str | None) -> bool:
    """Whether an Accept header asks for Apollo's multipart subscriptions."""
    for media_range in (accept or "").split(","):
        kind, *params = (part.strip() for part in media_range.split(";"))
        if kind.lower() != "multipart/mixed":
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "subscriptionspec" and value.strip().strip('"') == "1.0":
                return True
    return False


def part(body: bytes) -> bytes:
    return PART_HEAD + body + DELIMITER


def payload_part(result: bytes) -> bytes:
    return part(b'{"payload":' + result + b"}")


async def multipart_subscription(
    operations: SubscriptionOperations,
    document: DocumentNode,
    params: Params,
    context: Any,
    live: LiveSubscriptions,
    *,
    heartbeat_s: float = 5.0,
    headers: dict[str, str] | None = None,
    hold: Hold | None = None,
) -> Response:
    """The response for one subscription request (the document validated, a subscription).

    Errors that stop the subscription before it starts (e.g. ``NOT_FOUND``) come as one
    part ``{"payload": {"data": null, "errors": [...]}}`` and the end of the stream.
    """
    stream = await operations.start(document, params, context)
    return MultipartSubscriptionResponse(stream, live, heartbeat_s, headers, hold)


class MultipartSubscriptionResponse(Response):
    media_type = CONTENT_TYPE

    def __init__(
        self,
        stream: AsyncIterator[bytes] | list[Formatted],
        live: LiveSubscriptions,
        heartbeat_s: float,
        headers: dict[str, str] | None = None,
        hold: Hold | None = None,
    ) -> None:
        self.stream = stream
        self.hold = hold
        self.live = live
        self.heartbeat_s = heartbeat_s
        self.status_code = 200
        self.background = None
        # No proxy buffering (nginx), no caching of a live stream.
        self.init_headers(
            {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **(headers or {})}
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        if isinstance(self.stream, list):
            errors = orjson.dumps({"data": None, "errors": self.stream})
            await self._write(send, OPENING + payload_part(errors) + CLOSE, more=False)
            return
        with self.live.stream():
            writer = asyncio.create_task(self._write_stream(send, self.stream))
            watcher = asyncio.create_task(_client_left(receive))
            try:
                await asyncio.wait({writer, watcher}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (writer, watcher):
                    task.cancel()
                await asyncio.gather(writer, watcher, return_exceptions=True)
            failure = writer.exception() if writer.done() and not writer.cancelled() else None
            if failure is not None and not isinstance(failure, OSError):  # OSError: client left
                raise failure

    async def _write_stream(self, send: Send, stream: AsyncIterator[bytes]) -> None:
        results = aiter(stream)
        pending: asyncio.Task[bytes] | None = None
        closing = asyncio.create_task(self.live.closing.wait())
        ended: asyncio.Future[list[Formatted]] = asyncio.get_running_loop().create_future()

        def end(errors: list[Formatted]) -> None:
            if not ended.done():
                ended.set_result(errors)

        release = self.hold(end) if self.hold is not None else None
        try:
            with self.live.subscription(TRANSPORT):
                await self._write(send, OPENING)
                while True:
                    if pending is None:
                        pending = asyncio.ensure_future(anext(results))
                    waiting: set[asyncio.Future[Any]] = {pending, closing, ended}
                    done, _ = await asyncio.wait(
                        waiting,
                        timeout=self.heartbeat_s,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    if pending in done:
                        finished, pending = pending, None
                        try:
                            result = finished.result()
                        except StopAsyncIteration:
                            break
                        except Exception:
                            # A transport-level error part (payload null), then the end.
                            log.exception("a subscription failed")
                            failure = request_error("Unexpected error.", "INTERNAL_SERVER_ERROR")
                            body = orjson.dumps({"payload": None, "errors": [failure]})
                            await self._write(send, part(body))
                            break
                        await self._write(send, payload_part(result))
                    elif ended in done:
                        body = orjson.dumps({"payload": None, "errors": ended.result()})
                        await self._write(send, part(body))
                        break
                    elif closing in done:
                        break
                    else:
                        await self._write(send, part(HEARTBEAT))
                await self._write(send, CLOSE, more=False)
        finally:
            if release is not None:
                release()
            closing.cancel()
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration, Exception):
                    await pending
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    @staticmethod
    async def _write(send: Send, body: bytes, *, more: bool = True) -> None:
        await send({"type": "http.response.body", "body": body, "more_body": more})


async def _client_left(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
