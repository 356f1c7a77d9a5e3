"""The executor the endpoint runs: graphql-core's plain one, which has no incremental delivery."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    execute,
    specified_rules,
)
from graphql.execution import Executor
from graphql.pyutils import is_awaitable

from gateway.graphql import executor as executor_module
from gateway.graphql.documents import DocumentCache
from gateway.graphql.executor import AcyclicExecutor, execute_document
from gateway.graphql.plain_readers import context_reader, plain_reader
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


THINGS_SDL = """
type Query {
  thing(id: ID!): Thing
  things(id: ID!): [Thing!]
  maybe(id: ID = "1"): Thing
  other: String
}
type Thing { id: ID! name: String! }
"""


@dataclass
class ThingModel:
    id: str
    name: str | None


class Reads:
    """The request's context: a memo of reads, counting what reached the store."""

    STORE: ClassVar[dict[str, Any]] = {
        "1": ThingModel("1", "one"),
        "2": ThingModel("2", None),  # a null in a non-null field
        "3": GraphQLError("no such thing", extensions={"code": "NOT_FOUND"}),
        "4": "not a thing",
        "5": [ThingModel("5", "five"), ThingModel("6", "six")],
        "7": [ThingModel("7", "seven"), None],
    }

    def __init__(self) -> None:
        self.fetched: list[str] = []
        self.memo: dict[str, Any] = {}

    async def fetch(self, key: str) -> Any:
        self.fetched.append(key)
        await asyncio.sleep(0)
        found = self.STORE.get(key)
        if isinstance(found, Exception):
            raise found
        return found


def read(context: Reads, key: str) -> Any:
    if key not in context.memo:
        context.memo[key] = asyncio.ensure_future(context.fetch(key))
    return context.memo[key]


def things_schema() -> GraphQLSchema:
    schema = build_schema(THINGS_SDL)
    query, thing = schema.query_type, schema.get_type("Thing")
    assert query is not None and isinstance(thing, GraphQLObjectType)
    query.fields["thing"].resolve = context_reader("id", read, repeatable=True)
    query.fields["things"].resolve = context_reader("id", read, repeatable=True)
    query.fields["maybe"].resolve = context_reader("id", read, repeatable=True)
    query.fields["other"].resolve = lambda _s, _i: "other"
    thing.is_type_of = lambda value, _info: isinstance(value, ThingModel)
    for name in ("id", "name"):
        thing.fields[name].resolve = plain_reader(name)
    return schema


# (document, variables, whether the lone read answers it without graphql-core's executor)
LONE_READS = [
    ('{ thing(id: "1") { id name __typename } }', None, True),
    ('{ t: thing(id: "1") { name } }', None, True),
    ("query ($id: ID!) { thing(id: $id) { id } }", {"id": "1"}, True),
    ('{ thing(id: "2") { id name } }', None, False),  # a null in a non-null field
    ('{ thing(id: "3") { id } }', None, False),  # the read's error
    ('{ thing(id: "4") { id } }', None, False),  # not a Thing
    ('{ thing(id: "none") { id } }', None, True),
    ('{ things(id: "5") { id name } }', None, True),
    ('{ things(id: "7") { id } }', None, False),  # a null item
    ('{ things(id: "4") { id } }', None, False),  # a str for a list
    ('{ thing(id: "1") { id name @include(if: true) } }', None, False),  # not compiled
    ('{ thing(id: "1") { id } other }', None, False),  # not alone
    ("query ($id: ID!) { thing(id: $id) { id name } }", {"id": "2"}, False),
    ("query ($id: ID) { maybe(id: $id) { id } }", {}, True),  # the argument's default
    ("query ($id: ID) { maybe(id: $id) { id } }", {"id": None}, True),  # an explicit null
    ("query ($id: ID) { maybe(id: $id) { id } }", {"id": "5"}, False),  # a list for one
]


@pytest.mark.parametrize(("text", "variables", "alone"), LONE_READS)
async def test_a_lone_root_read_answers_what_execute_answers_reading_once(
    text: str, variables: dict[str, Any] | None, alone: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    executors: list[AcyclicExecutor] = []

    class Counted(AcyclicExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            executors.append(self)

    monkeypatch.setattr(executor_module, "AcyclicExecutor", Counted)
    schema = things_schema()
    document = DocumentCache(schema, specified_rules, max_tokens=500, hide_suggestions=True).get(
        text
    )
    assert document.node is not None, document.errors
    theirs = Reads()
    expected = execute(schema, document.node, None, theirs, variables)
    if not isinstance(expected, ExecutionResult):
        expected = await expected
    ours = Reads()
    got = execute_document(
        schema, document, None, ours, variables, hide_suggestions=True, is_awaitable=is_awaitable
    )
    if not isinstance(got, ExecutionResult):
        got = await got
    assert got.formatted == expected.formatted
    assert ours.fetched == theirs.fetched  # one read per key, even when run again
    assert len(executors) == (0 if alone else 1)
