"""The response media type chosen from Accept (GraphQL over HTTP, RFC 9110 §12.5.1)."""

from __future__ import annotations

import pytest

from gateway.http import negotiation
from gateway.http.negotiation import (
    CONTENT_TYPE,
    GRAPHQL_RESPONSE,
    JSON,
    accept_header,
    choose_media_type,
    negotiate,
    request_error_status,
)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("Application/JSON", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE),
        # The spec's advice to clients, and Apollo Client 4's header.
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/graphql-response+json,application/json;q=0.9", GRAPHQL_RESPONSE),
        # q decides; then the more specific range; then the one listed first.
        ("application/json, application/graphql-response+json;q=0.5", JSON),
        ("application/json;q=0.2, application/graphql-response+json;q=0.8", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", JSON),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE),
        ("*/*;q=0.8, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("*/*, application/graphql-response+json;q=0.9", JSON),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        # A more specific range overrides a wildcard, q=0 included.
        ("application/json;q=0, */*", GRAPHQL_RESPONSE),
        ("application/json;q=0, application/*", GRAPHQL_RESPONSE),
        # Charset: UTF-8 (however spelt) or none; we cannot answer in another.
        ("application/json; charset=utf-8", JSON),
        ("application/json; charset=UTF-8", JSON),
        ('application/graphql-response+json; charset="utf-8"', GRAPHQL_RESPONSE),
        (
            "application/json; charset=iso-8859-1, application/graphql-response+json",
            GRAPHQL_RESPONSE,
        ),
        # Parameters after q and extra whitespace are fine; a malformed q drops that range.
        ("  application/json ; q=1 ; ext=x ", JSON),
        ("application/json;q=abc, application/graphql-response+json;q=0.1", GRAPHQL_RESPONSE),
        ("application/json;q=2, application/graphql-response+json;q=0.1", GRAPHQL_RESPONSE),
    ],
)
def test_the_preferred_offered_type_is_chosen(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen
    if accept:
        assert choose_media_type(accept) == chosen


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "text/*",
        "application/xml",
        "application/graphql+json",  # an old draft's type, never a response type we send
        "application/json;q=0",
        "*/*;q=0",
        "application/json; charset=iso-8859-1",
        "application/json;q=nan",
        "garbage",
        ",,,",
    ],
)
def test_a_header_taking_neither_type_is_not_acceptable(accept: str) -> None:
    assert choose_media_type(accept) is None
    assert negotiate(accept) is None


def test_request_errors_are_400_only_for_graphql_response_json() -> None:
    assert request_error_status(GRAPHQL_RESPONSE) == 400
    assert request_error_status(JSON) == 200


def test_content_types_name_utf8() -> None:
    assert CONTENT_TYPE[JSON] == "application/json; charset=utf-8"
    assert CONTENT_TYPE[GRAPHQL_RESPONSE] == "application/graphql-response+json; charset=utf-8"


def test_answers_are_remembered_for_a_bounded_number_of_headers() -> None:
    remembered = negotiation._REMEMBERED
    assert remembered["*/*"] == JSON  # the common headers are known before the first request
    before = dict(remembered)
    try:
        for n in range(negotiation._MAX_REMEMBERED + 50):
            negotiate(f"application/json;q=0.{n % 9 + 1};n={n}")
        assert len(remembered) == negotiation._MAX_REMEMBERED
        assert negotiate("application/json;q=0.5;n=unseen") == JSON  # read, not remembered
        assert negotiate("text/plain;n=unseen") is None
        assert "text/plain;n=unseen" not in remembered
    finally:
        remembered.clear()
        remembered.update(before)


def test_accept_is_read_from_the_asgi_scope_every_line_of_it() -> None:
    def scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
        return {"headers": [(b"host", b"127.0.0.1"), *headers]}

    assert accept_header(scope()) is None
    assert accept_header(scope((b"accept", b"*/*"))) == "*/*"
    both = scope((b"accept", b"text/html"), (b"x", b"y"), (b"accept", b"application/json;q=0.5"))
    assert accept_header(both) == "text/html, application/json;q=0.5"
    assert negotiate(accept_header(both)) == JSON
