"""``/graphql``: GraphQL over HTTP, executed straight on graphql-core.

Strawberry builds the schema and its resolvers; this endpoint parses the
request, takes the validated document from the cache (or an APQ hash), runs
graphql-core's ``execute`` with our context, and answers with orjson. No
per-request extension machinery: it was most of the CPU of a small query.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from types import GeneratorType
from typing import Any, TypeGuard

import orjson
from graphql import DocumentNode, ExecutionResult, GraphQLError, OperationType
from graphql.pyutils import is_awaitable as graphql_is_awaitable
from starlette.requests import Request
from starlette.responses import Response

from gateway.errors import ErrorCode
from gateway.graphql.documents import DocumentCache, PersistedQueries
from gateway.graphql.executor import execute_document
from gateway.graphql.safe_messages import safe_coercion_message, safe_document_message
from gateway.http.negotiation import (
    CONTENT_TYPE,
    accept_header,
    negotiate,
    request_error_status,
)
from gateway.http.subscriptions_multipart import wants_multipart_subscription
from gateway.schema.context import Context

log = logging.getLogger("gateway.graphql")

JSON = "application/json"
NOT_IN_SAFELIST_MESSAGE = "The query is not in the safelist."


class JSONResponse(Response):
    media_type = JSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        media_type = self.media_type
        if headers is not None or media_type is None or media_type.startswith("text/"):
            super().init_headers(headers)
            return
        # What Starlette writes for a JSON body and no other headers, without its checks.
        self.raw_headers = [
            (b"content-length", str(len(self.body)).encode("latin-1")),
            (b"content-type", media_type.encode("latin-1")),
        ]


def request_error(
    status: int, message: str, code: str, media_type: str = JSON, **extra: Any
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extra}}]},
        status_code=status,
        media_type=CONTENT_TYPE[media_type],
    )


def _error(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}


# Whether a value can be awaited depends only on its type (generator-based coroutines
# aside): graphql-core asks for every field value, so the answer is kept per type.
_AWAITABLE_BY_TYPE: dict[type, bool] = {}


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    kind = type(value)
    known = _AWAITABLE_BY_TYPE.get(kind)
    if known is None:
        known = graphql_is_awaitable(value)
        if kind is not GeneratorType:
            _AWAITABLE_BY_TYPE[kind] = known
    return known


# A subscription request (the validated document, the request's parameters) -> the
# streamed answer; the app wires the multipart transport here.
Subscribe = Callable[[Request, DocumentNode, dict[str, Any]], Awaitable[Response]]


class GraphQLEndpoint:
    def __init__(
        self,
        schema: Any,
        documents: DocumentCache,
        context_of: Callable[[Request], Context],
        *,
        debug: bool,
        hide_suggestions: bool,
        persisted: PersistedQueries | None = None,
        subscribe: Subscribe | None = None,
    ) -> None:
        self._schema = schema
        self._documents = documents
        self._context_of = context_of
        self._debug = debug
        self._hide_suggestions = hide_suggestions
        self._persisted = persisted or PersistedQueries()
        self.subscribe = subscribe  # set by the app that serves subscriptions

    def prepare(self, params: Mapping[str, Any]) -> DocumentNode | list[dict[str, Any]]:
        """The validated document of a request (cache, APQ, limits), or its errors formatted.

        What the subscription transports run through: the same documents and rules as
        queries. ``params`` members are already type-checked.
        """
        query = params.get("query")
        persisted = (params.get("extensions") or {}).get("persistedQuery")
        if persisted is not None:
            sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
            if not isinstance(sha, str) or persisted.get("version") != 1:
                return [_error("Unsupported persistedQuery extension.", "BAD_REQUEST")]
            if query is None:
                query = self._persisted.lookup(sha.lower())
                if query is None:
                    return [_error(self._missing_message(), self._persisted.missing_code)]
            elif not self._persisted.register(sha, query):
                return [_error("provided sha does not match query", "BAD_REQUEST")]
        if query and not self._persisted.admits(query):  # the safelist holds on every transport
            return [_error(NOT_IN_SAFELIST_MESSAGE, "QUERY_NOT_IN_SAFELIST")]
        if not query:
            return [_error("No query was sent.", "BAD_REQUEST")]
        document = self._documents.get(query)
        if document.node is None:
            return [self._format_request_error(e) for e in document.errors]
        return document.node

    async def __call__(self, request: Request) -> Response:
        accept = accept_header(request.scope)
        media = negotiate(accept)
        if media is None and wants_multipart_subscription(accept):
            media = JSON  # a subscription streams; anything answered before it is JSON
        if media is None:
            return request_error(
                406,
                "Accept application/graphql-response+json or application/json.",
                "NOT_ACCEPTABLE",
            )
        params = await self._params(request, media)
        if isinstance(params, Response):
            return params
        return await self.run(request, params, media)

    async def _params(self, request: Request, media: str) -> dict[str, Any] | Response:
        if request.method == "GET":
            query = request.query_params
            params: dict[str, Any] = {
                "query": query.get("query"),
                "operationName": query.get("operationName"),
            }
            for name in ("variables", "extensions"):
                raw = query.get(name)
                if raw:
                    try:
                        params[name] = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        return request_error(
                            400, f"{name} is not valid JSON.", "BAD_REQUEST", media
                        )
            return params
        body = request.scope.get("gateway.body")  # read, and its size checked, by GraphQLGuard
        if body is None:
            body = await request.body()
        try:
            params = orjson.loads(body)
        except orjson.JSONDecodeError:
            return request_error(400, "The body is not valid JSON.", "BAD_REQUEST", media)
        if isinstance(params, list):
            return request_error(
                400,
                "Batched requests are not supported; send one operation.",
                "BATCHING_NOT_SUPPORTED",
                media,
            )
        if not isinstance(params, dict):
            return request_error(400, "The body must be a JSON object.", "BAD_REQUEST", media)
        return params

    async def run(self, request: Request, params: dict[str, Any], media: str) -> Response:
        query = params.get("query")
        operation_name = params.get("operationName")
        variables = params.get("variables")
        extensions = params.get("extensions")
        if (
            (query is not None and not isinstance(query, str))
            or (operation_name is not None and not isinstance(operation_name, str))
            or (variables is not None and not isinstance(variables, dict))
            or (extensions is not None and not isinstance(extensions, dict))
        ):
            return request_error(
                400,
                "query, operationName, variables or extensions has the wrong JSON type.",
                "BAD_REQUEST",
                media,
            )
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is not None:
            query_or_error = self._persisted_query(request, persisted, query, media)
            if isinstance(query_or_error, Response):
                return query_or_error
            query = query_or_error
        if query and not self._persisted.admits(query):
            refused = {"message": NOT_IN_SAFELIST_MESSAGE}
            return self._request_errors(
                request, [{**refused, "extensions": {"code": "QUERY_NOT_IN_SAFELIST"}}], media
            )
        if not query:
            return request_error(400, "No query was sent.", "BAD_REQUEST", media)
        document = self._documents.get(query)
        if document.node is None:
            failures = [self._format_request_error(e) for e in document.errors]
            return self._request_errors(request, failures, media)
        kind = document.operation_type(operation_name)
        if kind is None:
            message = "operationName does not name an operation of the document."
            failures = [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]
            return self._request_errors(request, failures, media)
        if request.method == "GET" and kind is not OperationType.QUERY:
            return request_error(
                405,
                "Only queries may be sent with GET; use POST.",
                "METHOD_NOT_ALLOWED",
                media,
                allow="POST",
            )
        if kind is OperationType.SUBSCRIPTION:
            facts = request.scope.get("gateway.facts")
            if facts is not None:
                facts["operation"] = operation_name
                facts["type"] = kind.value
            if self.subscribe is None:
                return request_error(
                    400, "Subscriptions are not served on this endpoint.", "BAD_REQUEST"
                )
            return await self.subscribe(request, document.node, params)
        context = self._context_of(request)
        facts = context.facts
        facts["operation"] = operation_name
        facts["type"] = kind.value
        result = execute_document(
            self._schema,
            document,
            operation_name,
            context,
            variables,
            hide_suggestions=self._hide_suggestions,
            is_awaitable=is_awaitable,
        )
        if not isinstance(result, ExecutionResult):
            result = await result
        if result.data is None and result.errors and result.errors[0].path is None:
            # Variables that do not coerce: a request error, nothing ran, no data entry.
            failures = [self._format_error(e) for e in result.errors]
            return self._request_errors(request, failures, media)
        body = self._format(result)
        errors = body.get("errors")
        # For metrics and the access log: ok, or the code of the first error.
        facts["outcome"] = (
            (errors[0].get("extensions") or {}).get("code", "error") if errors else "ok"
        )
        return JSONResponse(
            body, media_type=CONTENT_TYPE[media], headers=context.response_headers or None
        )

    def _request_errors(
        self, request: Request, errors: list[dict[str, Any]], media: str
    ) -> JSONResponse:
        """A well-formed request that failed before execution: no data; 400 or 200 by type."""
        facts = request.scope.get("gateway.facts")
        if facts is not None:  # the access log and metrics name the code, even under a 200
            facts["outcome"] = (errors[0].get("extensions") or {}).get("code", "error")
        return JSONResponse(
            {"errors": errors},
            status_code=request_error_status(media),
            media_type=CONTENT_TYPE[media],
        )

    def _persisted_query(
        self, request: Request, persisted: Any, query: Any, media: str
    ) -> str | Response:
        sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(sha, str) or persisted.get("version") != 1:
            return request_error(400, "Unsupported persistedQuery extension.", "BAD_REQUEST", media)
        if query is None:
            known = self._persisted.lookup(sha.lower())
            if known is None:
                # Apollo clients answer this by sending the query with its hash (not when
                # the safelist refuses the id: it answers PERSISTED_QUERY_NOT_IN_LIST).
                code = self._persisted.missing_code
                errors = [{"message": self._missing_message(), "extensions": {"code": code}}]
                return self._request_errors(request, errors, media)
            return known
        if not self._persisted.register(sha, query):
            return request_error(400, "provided sha does not match query", "BAD_REQUEST", media)
        return str(query)

    def _missing_message(self) -> str:
        if self._persisted.safelist:
            return "The persisted query is not in the persisted query list."
        return "PersistedQueryNotFound"

    def _format_request_error(self, error: GraphQLError) -> dict[str, Any]:
        formatted: dict[str, Any] = dict(error.formatted)
        formatted["message"] = safe_document_message(error.message)
        extensions = formatted.setdefault("extensions", {})
        parse_failed = error.message.startswith("Syntax Error")
        default = "GRAPHQL_PARSE_FAILED" if parse_failed else "GRAPHQL_VALIDATION_FAILED"
        extensions.setdefault("code", default)  # limit rules set their own
        return formatted

    def _format(self, result: ExecutionResult) -> dict[str, Any]:
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [self._format_error(e) for e in result.errors]
        return body

    def _format_error(self, error: GraphQLError) -> dict[str, Any]:
        formatted: dict[str, Any] = dict(error.formatted)
        original = error.original_error
        if error.path is None:
            # Variable coercion (whatever a scalar raised inside it): a request error, not
            # logged, and the value must not come back: it may be a card number.
            formatted["message"] = safe_coercion_message(error.message)
            formatted["extensions"] = {"code": ErrorCode.VALIDATION.value}
            return formatted
        if original is None or isinstance(original, GraphQLError):
            return formatted
        # An unexpected failure: logged (without variables), masked for the client.
        log.error(
            "unexpected error in %s",
            ".".join(map(str, error.path or [])),
            exc_info=(type(original), original, original.__traceback__),
        )
        formatted["message"] = "Unexpected error."
        formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
        if self._debug:
            formatted["extensions"]["exception"] = type(original).__name__
        return formatted
