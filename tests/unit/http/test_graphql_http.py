"""The endpoint's own body reader and JSON response: what Starlette's would give."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from gateway.http.graphql_http import JSONResponse, read_body
from gateway.http.negotiation import CONTENT_TYPE, GRAPHQL_RESPONSE, JSON

SCOPE = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}


def request_of(messages: list[dict[str, Any]]) -> Request:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return Request(SCOPE, receive)


@pytest.mark.parametrize(
    "messages",
    [
        [{"type": "http.request", "body": b'{"query": "{ a }"}'}],
        [{"type": "http.request", "body": b"", "more_body": False}],
        [{"type": "http.request"}],
        [
            {"type": "http.request", "body": b'{"query":', "more_body": True},
            {"type": "http.request", "body": b"", "more_body": True},
            {"type": "lifespan.unexpected"},  # not a body message: skipped
            {"type": "http.request", "body": b' "{ a }"}', "more_body": False},
        ],
    ],
)
async def test_read_body_reads_what_starlette_reads(messages: list[dict[str, Any]]) -> None:
    assert await read_body(request_of(messages)) == await request_of(messages).body()


async def test_a_disconnect_while_reading_is_a_client_disconnect() -> None:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"{", "more_body": True},
        {"type": "http.disconnect"},
    ]
    with pytest.raises(ClientDisconnect):
        await read_body(request_of(messages))


@pytest.mark.parametrize("status", [200, 400, 401])
@pytest.mark.parametrize("media", [JSON, GRAPHQL_RESPONSE])
@pytest.mark.parametrize("headers", [None, {"X-Shopper-Token": "t"}])
def test_json_response_headers_are_starlettes(
    status: int, media: str, headers: dict[str, str] | None
) -> None:
    content = {"data": {"greeting": "héllo"}}
    media_type = CONTENT_TYPE[media]
    ours = JSONResponse(content, status_code=status, media_type=media_type, headers=headers)
    theirs = Response(ours.body, status_code=status, media_type=media_type, headers=headers)
    assert ours.raw_headers == theirs.raw_headers
    assert JSONResponse(content).raw_headers == Response(ours.body, media_type=JSON).raw_headers
