"""``python -m bench.negotiation``: what content negotiation adds to one ``/graphql`` request.

Prints µs per call of reading Accept from the ASGI scope and choosing the media type (what the
endpoint does), next to Starlette's ``request.headers.get`` for scale, for the headers clients
send (remembered after the first request) and for a header seen the first time (parsed).
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from starlette.datastructures import Headers

from gateway.http.negotiation import accept_header, choose_media_type, negotiate

HEADERS = {
    "no Accept": None,
    "*/* (curl, aiohttp)": "*/*",
    "Apollo Client 4": "application/graphql-response+json,application/json;q=0.9",
    "browser": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}
# The other headers of a typical POST, so the Accept lookup walks a realistic list.
OTHER_HEADERS = [
    (b"host", b"127.0.0.1:8000"),
    (b"user-agent", b"Python/3.12 aiohttp/3.12"),
    (b"content-type", b"application/json"),
    (b"content-length", b"420"),
    (b"authorization", b"Bearer key-alpha-0123456789"),
    (b"accept-encoding", b"gzip, deflate"),
]


def per_call_us(fn: Callable[[], object], number: int = 200_000) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def scope_with(accept: str | None) -> dict[str, object]:
    headers = OTHER_HEADERS + ([(b"accept", accept.encode())] if accept else [])
    return {"type": "http", "method": "POST", "path": "/graphql", "headers": headers}


def main() -> None:
    for name, accept in HEADERS.items():
        negotiate(accept)  # remembered from here on, as after a server's first request
        scope = scope_with(accept)
        endpoint = per_call_us(lambda s=scope: negotiate(accept_header(s)))
        starlette = per_call_us(lambda s=scope: Headers(scope=s).get("accept"))
        print(
            f"{name:24} accept_header + negotiate {endpoint:6.3f} µs"
            f"   (Starlette headers.get alone {starlette:6.3f} µs)"
        )
    for name, accept in HEADERS.items():
        if accept:
            parse_us = per_call_us(lambda a=accept: choose_media_type(a), number=50_000)
            print(f"{name:24} first time (parsed) {parse_us:6.3f} µs")


if __name__ == "__main__":
    main()
