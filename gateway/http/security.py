"""HTTP-level protection, as ASGI middleware.

``GraphQLGuard`` stands in front of ``/graphql``: client key (constant-time),
per-client rate limit, JSON-only POSTs (a form or ``text/plain`` POST is what a
cross-site page can send without a CORS preflight) and the body size, counted
on the streamed body so a missing or lying Content-Length does not help.
``SecurityHeaders`` adds the browser hardening headers to every response.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http.client_limit import (
    CODE,
    MESSAGE,
    ClientRateLimit,
    client_identity,
)
from gateway.http.graphql_http import request_error
from gateway.http.routes import GRAPHQL_PATH, is_graphiql_page_request
from gateway.http.scope_headers import first_header

JSON_TYPES = frozenset({"application/json", "application/graphql-response+json"})
JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"


@dataclass(frozen=True)
class GuardConfig:
    client_keys: tuple[str, ...]
    max_body_bytes: int
    graphiql: bool


def matching_key(authorization: str | None, keys: Iterable[str]) -> str | None:
    """The configured key in ``Authorization: Bearer <key>``, compared in constant time."""
    if not authorization:
        return None
    scheme, _, presented = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    presented_bytes = presented.strip().encode()
    found = None
    for key in keys:  # every key is compared: the time does not tell which one matched
        if hmac.compare_digest(presented_bytes, key.encode()):
            found = key
    return found


class GraphQLGuard:
    def __init__(
        self, app: ASGIApp, config: GuardConfig, limit: ClientRateLimit | None = None
    ) -> None:
        self.app = app
        self.config = config
        # Shared with the WebSocket server, which counts against the same windows.
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != GRAPHQL_PATH:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if self.config.graphiql and is_graphiql_page_request(scope):
            await self.app(scope, receive, send)  # the page is open; its queries are not
            return
        client_key = None
        if self.config.client_keys:
            presented = first_header(scope, b"authorization")
            client_key = matching_key(presented, self.config.client_keys)
            if client_key is None:
                response = request_error(
                    401, "A valid client key is required: Authorization: Bearer <key>.",
                    "UNAUTHENTICATED",
                )  # fmt: skip
                response.headers["WWW-Authenticate"] = 'Bearer realm="checkout-gateway"'
                await response(scope, receive, send)
                return
        scope["gateway.client_key"] = client_key
        if self.limit is not None:
            retry_after = await self.limit.retry_after_s(client_identity(client_key, scope))
            if retry_after:
                response = request_error(429, MESSAGE, CODE, retryAfterMs=retry_after * 1000)
                response.headers["Retry-After"] = str(retry_after)
                await response(scope, receive, send)
                return
        if method == "POST":
            content_type = first_header(scope, b"content-type") or ""
            media_type = content_type.split(";")[0].strip().lower()
            if media_type not in JSON_TYPES:
                response = request_error(
                    415, "POST /graphql takes a JSON body (Content-Type: application/json).",
                    "UNSUPPORTED_MEDIA_TYPE",
                )  # fmt: skip
                await response(scope, receive, send)
                return
            body = await self._read_body(first_header(scope, b"content-length"), receive)
            if body is None:
                response = request_error(
                    413, f"The body is larger than {self.config.max_body_bytes} bytes.",
                    "PAYLOAD_TOO_LARGE",
                )  # fmt: skip
                response.headers["Connection"] = "close"
                await response(scope, receive, send)
                return
            scope["gateway.body"] = body  # the endpoint's, without reading it a second time
            receive = _replay(body, receive)
        elif method == "GET" and len(scope.get("query_string", b"")) > self.config.max_body_bytes:
            response = request_error(
                414, "The query string is too long; send the operation with POST.", "URI_TOO_LONG"
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _read_body(self, declared: str | None, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is known to be too large."""
        limit = self.config.max_body_bytes
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class SecurityHeaders:
    """nosniff, no referrer, no framing, a locked-down CSP on non-HTML answers; HSTS behind TLS."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts
        # Each added unless the answer has it already (GraphiQL's page brings its own CSP).
        self.headers: tuple[tuple[bytes, bytes], ...] = (
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cache-control", b"no-store"),
            (b"content-security-policy", JSON_CSP.encode()),
            *([(b"strict-transport-security", HSTS.encode())] if hsts else []),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                present = {name.lower() for name, _value in raw}
                raw.extend([item for item in headers if item[0] not in present])
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)
