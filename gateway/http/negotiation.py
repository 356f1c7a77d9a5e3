"""Which media type answers a GraphQL request, from its ``Accept`` header.

GraphQL over HTTP names two: ``application/graphql-response+json``, whose status codes tell
the outcome (400 when the document does not parse or validate, the operation cannot be
chosen or the variables do not coerce), and ``application/json`` for older clients, which
read such errors only from a 200. No header, ``*/*`` and ``application/*`` mean
``application/json``; an ``Accept`` naming neither type is answered 406.

The answer for a header is remembered (a bounded table), so a request costs one dict lookup:
clients send the same few headers again and again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# The server SHOULD name the encoding (GraphQL over HTTP, "Body"); JSON is always UTF-8.
CONTENT_TYPE = {
    JSON: "application/json; charset=utf-8",
    GRAPHQL_RESPONSE: "application/graphql-response+json; charset=utf-8",
}
_OFFERED = (GRAPHQL_RESPONSE, JSON)
_NOT_ACCEPTABLE = ""
_MAX_REMEMBERED = 512  # distinct Accept headers kept; beyond that, a header is read each time


def choose_media_type(accept: str) -> str | None:
    """The offered type ``accept`` prefers (RFC 9110 §12.5.1), or None when it takes neither.

    Each offered type takes the q of the most specific range matching it (``type/sub`` over
    ``type/*`` over ``*/*``); a range whose charset is not UTF-8 does not match. The highest
    q wins; on a tie the more specific match, then the one listed first, then
    ``application/json`` (so ``*/*`` alone means JSON, as the spec's audits ask).
    """
    best: dict[str, tuple[float, int, int]] = {}  # type -> (q, specificity, -position)
    for position, item in enumerate(accept.split(",")):
        media_range, *params = item.split(";")
        kind, slash, subtype = media_range.strip().lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        quality = 1.0
        utf8 = True
        for param in params:
            name, _, value = param.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"').lower()
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
            elif name == "charset" and value not in ("utf-8", "utf8", "*"):
                utf8 = False
        if not 0.0 <= quality <= 1.0:
            continue  # a malformed q: the range is ignored
        for offered in _OFFERED:
            specificity = _specificity(kind, subtype, offered)
            if specificity < 0:
                continue
            rank = (quality if utf8 else 0.0, specificity, -position)
            known = best.get(offered)
            if (
                known is None
                or specificity > known[1]
                or (specificity == known[1] and rank[0] > known[0])
            ):
                best[offered] = rank
    acceptable = [(rank, offered == JSON, offered) for offered, rank in best.items() if rank[0] > 0]
    if not acceptable:
        return None
    return max(acceptable)[2]


def _specificity(kind: str, subtype: str, offered: str) -> int:
    """2 for the exact type, 1 for ``type/*``, 0 for ``*/*``, -1 when the range excludes it."""
    offered_kind, _, offered_subtype = offered.partition("/")
    if kind == "*":
        return 0 if subtype == "*" else -1
    if kind != offered_kind:
        return -1
    if subtype == "*":
        return 1
    return 2 if subtype == offered_subtype else -1


def accept_header(scope: Mapping[str, Any]) -> str | None:
    """The request's Accept, read straight from the ASGI scope (names come lowercased);
    several Accept lines are one list (RFC 9110 §5.3)."""
    found = None
    for name, value in scope["headers"]:
        if name == b"accept":
            text = value.decode("latin-1")
            found = text if found is None else f"{found}, {text}"
    return found


_REMEMBERED: dict[str, str] = {}


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in (``JSON`` or ``GRAPHQL_RESPONSE``), None for a 406."""
    if not accept:
        return JSON  # no Accept: the spec's audits ask for application/json
    chosen = _REMEMBERED.get(accept)
    if chosen is None:
        chosen = choose_media_type(accept) or _NOT_ACCEPTABLE
        if len(_REMEMBERED) < _MAX_REMEMBERED:
            _REMEMBERED[accept] = chosen
    return chosen or None


def request_error_status(media_type: str) -> int:
    """The status of a well-formed request that fails before execution (parse, validation,
    operation choice, variable coercion): 400 for graphql-response+json, 200 for JSON."""
    return 400 if media_type == GRAPHQL_RESPONSE else 200


# What clients send most (curl, aiohttp and browsers' */*, Apollo Client 4, the spec's advice).
for _header in (
    "*/*",
    JSON,
    GRAPHQL_RESPONSE,
    "application/graphql-response+json, application/json;q=0.9",
    "application/graphql-response+json,application/json;q=0.9",
):
    negotiate(_header)
