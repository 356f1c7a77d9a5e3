"""The endpoint's JSON response: what Starlette's would give."""

from __future__ import annotations

import pytest
from starlette.responses import Response

from gateway.http.graphql_http import JSONResponse
from gateway.http.negotiation import CONTENT_TYPE, GRAPHQL_RESPONSE, JSON


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
