"""Running one subscription operation, for both transports (WebSocket and multipart HTTP).

Why a module of its own: the two transports differ only in framing. Parsing, validation
and the limits come from the caller's document cache (``prepare``), the context from the
caller, and graphql-core does the rest; this module turns its answer into
either the request's errors (nothing to stream) or a stream of formatted results, and
never lets an unexpected exception's text reach a client. It follows graphql-core's
``subscribe`` step by step (build, create the source stream, execute each event) so that
one event's result can be shared by every subscriber that receives it.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
)
from graphql.execution import create_source_event_stream, execute_subscription_event
from graphql.execution.executor import Executor
from graphql.execution.executor_throwing_on_incremental import ExecutorThrowingOnIncremental
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


class _SharedResults:
    """The serialized results of the last few events, per request (document, variables).

    Holds each event strongly, so an ``id`` it is keyed by cannot be reused meanwhile.
    """

    def __init__(self, events: int = 64) -> None:
        self._entries: OrderedDict[int, tuple[object, dict[str, bytes]]] = OrderedDict()
        self._events = events

    def get(self, event: object, request: str) -> bytes | None:
        entry = self._entries.get(id(event))
        if entry is None or entry[0] is not event:
            return None
        return entry[1].get(request)

    def put(self, event: object, request: str, result: bytes) -> None:
        entry = self._entries.get(id(event))
        if entry is None or entry[0] is not event:
            entry = (event, {})
            self._entries[id(event)] = entry
            while len(self._entries) > self._events:
                self._entries.popitem(last=False)
        entry[1][request] = result


class SubscriptionOperations:
    """Runs subscriptions; each event's result comes out as the JSON of a GraphQL result.

    ``shared_results``: subscribers that receive the *same event object* for the same
    document and variables get one execution's serialized result (the order feed hands
    one snapshot object to all its watchers, so a fan-out to thousands executes once).
    Only right while every field under the subscription reads the event alone, never the
    context (true of ``orderStatusChanged``: reachability is checked when it starts).
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        prepare: Prepare,
        *,
        format_error: FormatError = safe_format_error,
        hide_suggestions: bool = True,
        shared_results: bool = False,
    ) -> None:
        self._schema = schema
        self._prepare = prepare
        self._format_error = format_error
        self._hide_suggestions = hide_suggestions
        self._shared = _SharedResults() if shared_results else None

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
    ) -> AsyncIterator[bytes] | list[Formatted]:
        """The stream of results (JSON), or the errors that stopped it before it began.

        The stream must be closed (``aclose``) by the caller when the client leaves.
        """
        executor = ExecutorThrowingOnIncremental.build(
            self._schema,
            document,
            None,
            context,
            params.variables,
            params.operation_name,
            hide_suggestions=self._hide_suggestions,
        )
        if isinstance(executor, list):  # variables that do not fit
            return [self._format_error(e) for e in executor]
        source: Any = create_source_event_stream(executor)
        if is_awaitable(source):
            source = await source
        if isinstance(source, ExecutionResult):
            return [self._format_error(e) for e in source.errors or ()] or [
                request_error("The subscription could not start.", "INTERNAL_SERVER_ERROR")
            ]
        # As str: orjson's bytes keep a 4 KiB buffer whatever their length, and this key
        # lives as long as the subscription (thousands of them); interned, the
        # subscriptions of one request share one copy.
        request = sys.intern(
            orjson.dumps(params.as_mapping(), option=orjson.OPT_SORT_KEYS).decode()
        )
        executor_of: Callable[[], Executor[Any]] = lambda: executor  # noqa: E731
        if self._shared is not None:
            # Events mostly come out of the shared results: the executor (~1.4 KB with its
            # sets and caches) is built again on a miss rather than kept per subscription.
            executor_of = functools.partial(
                self._executor, document, context, params.variables, params.operation_name
            )
        return self._results(executor_of, source, request)

    def _executor(
        self,
        document: DocumentNode,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> Executor[Any]:
        executor = ExecutorThrowingOnIncremental.build(
            self._schema,
            document,
            None,
            context,
            variables,
            operation_name,
            hide_suggestions=self._hide_suggestions,
        )
        if isinstance(executor, list):  # pragma: no cover - the same arguments built before
            raise RuntimeError("the subscription's executor could not be built again")
        return executor

    async def _results(
        self,
        executor_of: Callable[[], Executor[Any]],
        source: AsyncIterator[Any],
        request: str,
    ) -> AsyncIterator[bytes]:
        try:
            async for event in source:
                shared = self._shared.get(event, request) if self._shared else None
                if shared is None:
                    shared = await self._execute(executor_of(), event)
                    if self._shared is not None:
                        self._shared.put(event, request, shared)
                yield shared
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()

    async def _execute(self, executor: Executor[Any], event: Any) -> bytes:
        result: Any = execute_subscription_event(executor.build_per_event_executor(event))
        if is_awaitable(result):
            result = await result
        body: Formatted = {"data": result.data}
        if result.errors:
            body["errors"] = [self._format_error(e) for e in result.errors]
        return orjson.dumps(body)
