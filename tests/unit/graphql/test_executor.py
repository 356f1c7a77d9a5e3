"""The executor the endpoint runs: graphql-core's plain one, which has no incremental delivery."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import ExecutionResult, GraphQLSchema, build_schema, execute, specified_rules
from graphql.execution import Executor
from graphql.pyutils import is_awaitable

from gateway.graphql.documents import DocumentCache
from gateway.graphql.executor import AcyclicExecutor, execute_document
from gateway.schema import build_schema as build_served_schema


def test_the_served_schema_has_nothing_for_incremental_delivery() -> None:
    # The plain executor ignores @defer and @stream: the schema must not offer them, so no
    # validated document can carry them (graphql-core's execute refuses such schemas too).
    schema = build_served_schema()._schema
    assert schema.get_directive("defer") is None and schema.get_directive("stream") is None
    assert issubclass(AcyclicExecutor, Executor)


SDL = """
type Query {
  greet(name: String! = "you", times: Int): String
  sum(a: Int!, b: Int!): Int
  items: [Item!]!
  echo(input: In, tags: [String!]): String
}
input In { a: Int inner: In }
type Item { id: ID! tag: String }
"""


def served_schema() -> GraphQLSchema:
    schema = build_schema(SDL)
    query = schema.query_type
    assert query is not None
    query.fields["greet"].resolve = lambda _s, _i, name, times=1: " ".join([f"hi {name}"] * times)
    query.fields["sum"].resolve = lambda _s, _i, a, b: a + b

    async def items(_source: Any, _info: Any) -> list[dict[str, Any]]:
        return [{"id": "1", "tag": None}, {"id": 2, "tag": "x"}]

    query.fields["items"].resolve = items
    query.fields["echo"].resolve = lambda _s, _i, **args: repr(sorted(args.items()))
    return schema


ECHO = "query E($i: In, $t: [String!]) { echo(input: $i, tags: $t) }"
DEEP: dict[str, Any] = {"a": 0}
for _ in range(300):
    DEEP = {"inner": DEEP}

# (document, operationName, variables, whether the preparation is kept for it)
CASES: list[tuple[str, str | None, dict[str, Any] | None, bool]] = [
    ("{ greet }", None, None, True),
    ("query Q($n: String!) { greet(name: $n) }", "Q", {"n": "Ada"}, True),
    ("query Q($n: String!) { greet(name: $n) }", None, {"n": "Ada"}, True),
    ("query Q($t: Int) { greet(times: $t) }", "Q", {}, True),  # a nullable variable left out
    ("query Q($t: Int = 2) { greet(times: $t) }", "Q", None, True),  # its default
    ("query Q($n: String!) { greet(name: $n) }", "Q", {"n": 5}, True),  # does not coerce
    ("query Q($n: String!) { greet(name: $n) }", "Q", {}, True),  # missing
    ("query A { greet } query B($a: Int!) { sum(a: $a, b: 2) }", "B", {"a": 40}, True),
    ("query A { greet } query B { sum(a: 1, b: 2) }", None, None, False),  # which one?
    ("query A { greet }", "C", None, False),  # no such operation
    ("fragment F on Item { id tag } { items { ...F } }", None, None, True),
    (ECHO, "E", {"i": {"a": 1, "inner": {"a": 2}}, "t": ["x", "y"]}, True),
    (ECHO, "E", {"i": {"a": "one"}, "t": None}, True),  # an input field that does not coerce
    (ECHO, "E", {"i": None, "t": "x"}, True),  # a lone item for a list
    (ECHO, "E", {"i": DEEP, "t": []}, True),  # nested too deeply
]


@pytest.mark.parametrize(("text", "name", "variables", "kept"), CASES)
async def test_execute_document_answers_what_execute_answers(
    text: str, name: str | None, variables: dict[str, Any] | None, kept: bool
) -> None:
    schema = served_schema()
    document = DocumentCache(schema, specified_rules, max_tokens=500, hide_suggestions=True).get(
        text
    )
    assert document.node is not None, document.errors

    async def answer(result: Any) -> dict[str, Any]:
        if not isinstance(result, ExecutionResult):
            result = await result
        return result.formatted  # type: ignore[no-any-return]

    expected = await answer(
        execute(schema, document.node, None, None, variables, name, hide_suggestions=True)
    )
    for _ in range(2):  # prepared on the first run, reused on the second
        got = execute_document(
            schema,
            document,
            name,
            None,
            variables,
            hide_suggestions=True,
            is_awaitable=is_awaitable,
        )
        assert await answer(got) == expected
    # Kept only for an operation the document has: the entries stay a bounded few.
    assert list(document.prepared) == ([name] if kept else [])
