"""Headers read off the ASGI scope answer as Starlette's ``Headers.get`` does."""

from __future__ import annotations

from starlette.datastructures import Headers

from gateway.http.scope_headers import first_header

RAW = [
    (b"content-type", b"application/json"),
    (b"x-shopper-token", b"first"),
    (b"x-shopper-token", b"second"),
    (b"x-latin", "café".encode("latin-1")),
]


def test_the_first_value_of_a_name_as_headers_get_answers() -> None:
    scope = {"type": "http", "headers": RAW}
    starlette = Headers(scope=scope)
    for name in ("content-type", "x-shopper-token", "x-latin", "authorization"):
        assert first_header(scope, name.encode()) == starlette.get(name)
    assert first_header(scope, b"x-shopper-token") == "first"
    assert first_header(scope, b"authorization") is None
