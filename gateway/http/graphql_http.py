"""``/graphql``: GraphQL over HTTP, executed straight on graphql-core.

Strawberry builds the schema and its resolvers; this endpoint parses the
request, takes the validated document from the cache (or an APQ hash), runs
graphql-core's ``execute`` with our context, and answers with orjson. No
per-request extension machinery: it was most of the CPU of a small query.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import GeneratorType
from typing import Any, TypeGuard

import orjson
from graphql import ExecutionResult, GraphQLError, OperationType, execute
from graphql.pyutils import is_awaitable as graphql_is_awaitable
from starlette.requests import Request
from starlette.responses import Response

from gateway.errors import ErrorCode
from gateway.graphql.documents import DocumentCache, PersistedQueries
from gateway.graphql.executor import AcyclicExecutor
from gateway.graphql.safe_messages import safe_coercion_message, safe_document_message
from gateway.schema.context import Context

log = logging.getLogger("gateway.graphql")

JSON = "application/json"


class JSONResponse(Response):
    media_type = JSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def request_error(status: int, message: str, code: str, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extra}}]},
        status_code=status,
    )


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
    ) -> None:
        self._schema = schema
        self._documents = documents
        self._context_of = context_of
        self._debug = debug
        self._hide_suggestions = hide_suggestions
        self._persisted = persisted or PersistedQueries()

    async def __call__(self, request: Request) -> Response:
        params = await self._params(request)
        if isinstance(params, Response):
            return params
        return await self.run(request, params)

    async def _params(self, request: Request) -> dict[str, Any] | Response:
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
                        return request_error(400, f"{name} is not valid JSON.", "BAD_REQUEST")
            return params
        body = await request.body()
        try:
            params = orjson.loads(body)
        except orjson.JSONDecodeError:
            return request_error(400, "The body is not valid JSON.", "BAD_REQUEST")
        if isinstance(params, list):
            return request_error(
                400,
                "Batched requests are not supported; send one operation.",
                "BATCHING_NOT_SUPPORTED",
            )
        if not isinstance(params, dict):
            return request_error(400, "The body must be a JSON object.", "BAD_REQUEST")
        return params

    async def run(self, request: Request, params: dict[str, Any]) -> Response:
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
            )
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is not None:
            query_or_error = self._persisted_query(request, persisted, query)
            if isinstance(query_or_error, Response):
                return query_or_error
            query = query_or_error
        if query and not self._persisted.admits(query):
            return self._refused(
                request, "QUERY_NOT_IN_SAFELIST", "The query is not in the safelist."
            )
        if not query:
            return request_error(400, "No query was sent.", "BAD_REQUEST")
        document = self._documents.get(query)
        if document.node is None:
            return JSONResponse(
                {"errors": [self._format_request_error(e) for e in document.errors]},
                status_code=400,
            )
        kind = document.operation_type(operation_name)
        if kind is None:
            return request_error(
                400, "operationName does not name an operation of the document.", "BAD_REQUEST"
            )
        if request.method == "GET" and kind is not OperationType.QUERY:
            return request_error(
                405,
                "Only queries may be sent with GET; use POST.",
                "METHOD_NOT_ALLOWED",
                allow="POST",
            )
        context = self._context_of(request)
        facts = context.facts
        facts["operation"] = operation_name
        facts["type"] = kind.value
        result = execute(
            self._schema,
            document.node,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            hide_suggestions=self._hide_suggestions,
            is_awaitable=is_awaitable,
            executor_class=AcyclicExecutor,
        )
        if not isinstance(result, ExecutionResult):
            result = await result
        body = self._format(result)
        errors = body.get("errors")
        # For metrics and the access log: ok, or the code of the first error.
        facts["outcome"] = (
            (errors[0].get("extensions") or {}).get("code", "error") if errors else "ok"
        )
        return JSONResponse(body)

    def _persisted_query(self, request: Request, persisted: Any, query: Any) -> str | Response:
        sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(sha, str) or persisted.get("version") != 1:
            return request_error(400, "Unsupported persistedQuery extension.", "BAD_REQUEST")
        if query is None:
            known = self._persisted.lookup(sha.lower())
            if known is None:
                # Apollo clients answer this by sending the query with its hash (not when
                # the safelist refuses the id: it answers PERSISTED_QUERY_NOT_IN_LIST).
                message = "PersistedQueryNotFound"
                if self._persisted.safelist:
                    message = "The persisted query is not in the persisted query list."
                return self._refused(request, self._persisted.missing_code, message)
            return known
        if not self._persisted.register(sha, query):
            return request_error(400, "provided sha does not match query", "BAD_REQUEST")
        return str(query)

    def _refused(self, request: Request, code: str, message: str) -> JSONResponse:
        """A request the persisted operations refuse: nothing runs; the log names the code."""
        facts = request.scope.get("gateway.facts")
        if facts is not None:
            facts["outcome"] = code
        return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]})

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
