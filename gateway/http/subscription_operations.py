"""Running one subscription operation, for both transports (WebSocket and multipart HTTP).

Why a module of its own: the two transports differ only in framing. Parsing, validation
and the limits come from the caller's document cache (``prepare``), the context from the
caller, and graphql-core's ``subscribe`` does the rest; this module turns its answer into
either the request's errors (nothing to stream) or a stream of formatted results, and
never lets an unexpected exception's text reach a client.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
    subscribe,
)
from graphql.pyutils import is_awaitable

log = logging.getLogger("gateway.subscriptions")

Formatted = dict[str, Any]
# The request's parameters (query, operationName, variables, extensions) -> the validated
# document, or the request errors already formatted for the client (parse, validation,
# limits, persisted queries). The caller's document cache does this for queries too.
Prepare = Callable[[Mapping[str, Any]], DocumentNode | list[Formatted]]
FormatError = Callable[[GraphQLError], Formatted]


@dataclass(frozen=True, slots=True)
class Params:
    """The GraphQL request of a ``subscribe`` message or a POST body, type-checked."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None

    @classmethod
    def parse(cls, raw: object) -> Params | None:
        """None when a member has the wrong JSON type."""
        if not isinstance(raw, dict):
            return None
        query = raw.get("query")
        name = raw.get("operationName")
        variables = raw.get("variables")
        extensions = raw.get("extensions")
        if (
            (query is not None and not isinstance(query, str))
            or (name is not None and not isinstance(name, str))
            or (variables is not None and not isinstance(variables, dict))
            or (extensions is not None and not isinstance(extensions, dict))
        ):
            return None
        return cls(query, name, variables, extensions)

    def as_mapping(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "operationName": self.operation_name,
            "variables": self.variables,
            "extensions": self.extensions,
        }


def request_error(message: str, code: str) -> Formatted:
    return {"message": message, "extensions": {"code": code}}


def safe_format_error(error: GraphQLError) -> Formatted:
    """The default formatter: resolver errors as they are, anything else masked.

    An error without a path comes from coercing variables, whose message may repeat a
    value (a card number): it is replaced. An exception that is not a GraphQLError is a
    bug: logged, and the client sees only that something failed.
    """
    formatted: Formatted = dict(error.formatted)
    original = error.original_error
    if error.path is None:
        return request_error("The variables do not fit the operation.", "VALIDATION")
    if original is None or isinstance(original, GraphQLError):
        return formatted
    log.error(
        "unexpected error in a subscription",
        exc_info=(type(original), original, original.__traceback__),
    )
    formatted["message"] = "Unexpected error."
    formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
    return formatted


class SubscriptionOperations:
    def __init__(
        self,
        schema: GraphQLSchema,
        prepare: Prepare,
        *,
        format_error: FormatError = safe_format_error,
        hide_suggestions: bool = True,
    ) -> None:
        self._schema = schema
        self._prepare = prepare
        self._format_error = format_error
        self._hide_suggestions = hide_suggestions

    def document(self, params: Params) -> tuple[DocumentNode, OperationType] | list[Formatted]:
        """The validated document and its operation's type, or the request's errors."""
        if params.query is None and not params.extensions:
            return [request_error("No query was sent.", "BAD_REQUEST")]
        prepared = self._prepare(params.as_mapping())
        if isinstance(prepared, list):
            return prepared
        operation = get_operation_ast(prepared, params.operation_name)
        if operation is None:
            return [
                request_error(
                    "operationName does not name an operation of the document.", "BAD_REQUEST"
                )
            ]
        return prepared, operation.operation

    async def start(
        self, document: DocumentNode, params: Params, context: Any
    ) -> AsyncIterator[Formatted] | list[Formatted]:
        """The stream of formatted results, or the errors that stopped it before it began.

        The stream must be closed (``aclose``) by the caller when the client leaves.
        """
        result: Any = subscribe(
            self._schema,
            document,
            context_value=context,
            variable_values=params.variables,
            operation_name=params.operation_name,
            hide_suggestions=self._hide_suggestions,
        )
        if is_awaitable(result):
            result = await result
        if isinstance(result, ExecutionResult):
            return [self._format_error(e) for e in result.errors or ()] or [
                request_error("The subscription could not start.", "INTERNAL_SERVER_ERROR")
            ]
        return self._formatted(result)

    async def _formatted(self, results: AsyncIterator[ExecutionResult]) -> AsyncIterator[Formatted]:
        try:
            async for result in results:
                body: Formatted = {"data": result.data}
                if result.errors:
                    body["errors"] = [self._format_error(e) for e in result.errors]
                yield body
        finally:
            aclose = getattr(results, "aclose", None)
            if aclose is not None:
                await aclose()
