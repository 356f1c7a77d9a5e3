"""The gateway's HTTP paths, named once, and how a request for the GraphiQL page looks."""

from __future__ import annotations

from starlette.datastructures import Headers, QueryParams
from starlette.types import Scope

GRAPHQL_PATH = "/graphql"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"


def is_graphiql_page_request(scope: Scope) -> bool:
    """A browser opening the endpoint: GET, no ``query`` parameter, HTML accepted."""
    return (
        scope["method"] == "GET"
        and "query" not in QueryParams(scope.get("query_string", b""))
        and "text/html" in Headers(scope=scope).get("accept", "")
    )
