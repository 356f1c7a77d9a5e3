"""SecurityHeaders adds each hardening header once, after the answer's own, never twice."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http.security import HSTS, JSON_CSP, SecurityHeaders

HARDENING = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"content-security-policy", JSON_CSP.encode()),
]


def _answering(*headers: tuple[bytes, bytes]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


async def _sent(app: SecurityHeaders, kind: str = "http") -> list[Message]:
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        messages.append(message)

    await app({"type": kind, "path": "/graphql"}, receive, send)
    return messages


async def test_every_header_is_added_after_the_answers_own() -> None:
    own = (b"content-type", b"application/json")
    start, body = await _sent(SecurityHeaders(_answering(own), hsts=True))
    assert start["headers"] == [own, *HARDENING, (b"strict-transport-security", HSTS.encode())]
    assert body == {"type": "http.response.body", "body": b"{}"}


async def test_headers_the_answer_has_are_kept_and_not_repeated() -> None:
    own = [(b"Content-Security-Policy", b"script-src 'self'"), (b"cache-control", b"max-age=60")]
    start, _body = await _sent(SecurityHeaders(_answering(*own), hsts=False))
    names = [name.lower() for name, _value in start["headers"]]
    assert start["headers"][:2] == own
    assert len(names) == len(set(names)) == 5  # the two, and three of the hardening ones
    assert b"strict-transport-security" not in names  # not behind TLS


async def test_other_scopes_pass_untouched() -> None:
    own = (b"content-type", b"text/plain")
    start, _body = await _sent(SecurityHeaders(_answering(own), hsts=True), kind="websocket")
    assert start["headers"] == [own]
