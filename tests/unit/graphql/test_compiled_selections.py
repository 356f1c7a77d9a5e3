"""Compiled plain selections answer exactly what graphql-core's own execution answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from graphql import (
    ExecutionResult,
    GraphQLObjectType,
    OperationDefinitionNode,
    execute,
    parse,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import VariableValues

from gateway.graphql.compiled_selections import CompiledSelections
from gateway.graphql.executor import AcyclicExecutor
from gateway.schema.plain_fields import read_plain_fields_directly


@dataclass
class PriceModel:
    amount: Decimal
    currency_code: str


@dataclass
class CardModel:
    token: str
    last4: str


@dataclass
class WalletModel:
    token: str
    email: str


@dataclass
class ItemModel:
    id: str
    name: str | None
    price: PriceModel
    tags: list[str]
    instruments: list[Any]
    discount: PriceModel | None = None
    count: Any = 0
    flag: Any = None
    prices: list[Any] = field(default_factory=list)
    related: list[Any] | None = None
    codes: list[Any] | None = None


@strawberry.type
class Price:
    amount: Decimal
    currency_code: str


@strawberry.interface
class Instrument:
    token: str

    @classmethod
    def resolve_type(cls, obj: Any, _info: Any, _type: Any) -> str:
        return {CardModel: "Card", WalletModel: "Wallet"}[type(obj)]


@strawberry.type
class Card(Instrument):
    last4: str

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, CardModel)


@strawberry.type
class Wallet(Instrument):
    email: str

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, WalletModel)


@strawberry.type
class Item:
    id: strawberry.ID
    name: str | None
    price: Price
    tags: list[str]
    instruments: list[Instrument]
    discount: Price | None
    count: int
    flag: bool | None
    prices: list[Price]
    related: list[Price | None] | None
    codes: list[int | None] | None


ITEMS = [
    ItemModel("1", "Mug", PriceModel(Decimal("24.95"), "USD"), ["a", "b"],
              [CardModel("t1", "1111"), WalletModel("t2", "j@example.com")],
              PriceModel(Decimal("5"), "USD"), 3, True, [PriceModel(Decimal("2"), "EUR")],
              [None, PriceModel(Decimal("3"), "USD")], [1, None, 3]),
    ItemModel("2", None, PriceModel(Decimal("0.50"), "USD"), [], []),
]  # fmt: skip
BROKEN = [ItemModel("3", "Tote", None, ["x"], [])]  # type: ignore[arg-type]
# Leaves that are not str: String and ID serialize them; a null id is an error.
COERCED = [ItemModel(7, 5, PriceModel(Decimal("1"), "USD"), [True, 2.5], [], count="many")]  # type: ignore[arg-type,list-item]
# A null item in a list of non-null objects, a non-list for a list, a bad item.
GAPS = [
    ItemModel("4", "A", PriceModel(Decimal("1"), "USD"), [], [], prices=[None]),
    ItemModel("5", "B", PriceModel(Decimal("1"), "USD"), [], [], related="no"),  # type: ignore[arg-type]
    ItemModel("6", "C", PriceModel(Decimal("1"), "USD"), [], [], codes=[1, "x"]),
    ItemModel("7", "D", PriceModel(Decimal("1"), "USD"), [], [], count=True, flag=1),
]
# An Int beyond 32 bits (an error), an int-like float and a numeric str (serialized).
WIDE = [
    ItemModel("8", "E", PriceModel(Decimal("1"), "USD"), [], [], count=2**40),
    ItemModel("9", "F", PriceModel(Decimal("1"), "USD"), [], [], count=4.0, flag=0.0),
    ItemModel("10", "G", PriceModel(Decimal("1"), "USD"), [], [], count="12"),
]
NULL_ID = [ItemModel(None, "Cap", PriceModel(Decimal("1"), "USD"), [], [])]  # type: ignore[arg-type]


@strawberry.type
class Query:
    @strawberry.field
    async def items(self) -> list[Item]:
        return ITEMS  # type: ignore[return-value]

    @strawberry.field
    async def broken(self) -> list[Item]:
        return BROKEN  # type: ignore[return-value]

    @strawberry.field
    async def coerced(self) -> list[Item]:
        return COERCED  # type: ignore[return-value]

    @strawberry.field
    async def gaps(self) -> list[Item]:
        return GAPS  # type: ignore[return-value]

    @strawberry.field
    async def wide(self) -> list[Item | None]:
        return WIDE  # type: ignore[return-value]

    @strawberry.field
    async def null_id(self) -> list[Item]:
        return NULL_ID  # type: ignore[return-value]


schema = strawberry.Schema(query=Query, types=[Card, Wallet])
read_plain_fields_directly(schema._schema, schema.config.default_resolver)

DOCUMENTS = {
    "plain": "{ items { id name price { amount currencyCode } tags } }",
    "aliases and typename": "{ items { __typename key: id p: price { a: amount } } }",
    "fragments": """
        fragment P on Price { amount currencyCode }
        query { items { ...on Item { id } price { ...P } } }
    """,
    "interface": """
        { items { instruments { __typename token ... on Card { last4 }
                                ... on Wallet { email } } } }
    """,
    "null in a non-null field": "{ broken { id price { amount } } }",
    "leaves that are not str": "{ coerced { id name tags } }",
    "null in a non-null leaf": "{ nullId { id name } }",
    "nullable object, leaves that are not String": "{ items { count flag discount { amount } } }",
    "a non-null Int that does not serialize": "{ coerced { id count } }",
    "lists of objects and leaves": "{ items { prices { amount } related { currencyCode } codes } }",
    "a null in a list of non-null objects": "{ gaps { id prices { amount } } }",
    "a str for a list": "{ gaps { id related { amount } } }",
    "a list item that does not serialize": "{ gaps { id codes } }",
    "Int and Boolean from other types": "{ gaps { id count flag } }",
    "Int out of range, from a float or a str": "{ wide { id count flag } }",
    "directive with a variable": "query ($all: Boolean!) { items { id name @include(if: $all) } }",
}


async def run(text: str, executor_class: Any = None) -> Any:
    result = execute(
        schema._schema, parse(text), variable_values={"all": False}, executor_class=executor_class
    )
    if not isinstance(result, ExecutionResult):
        result = await result
    return result.formatted


@pytest.mark.parametrize("name", list(DOCUMENTS))
async def test_same_answer_as_graphql_core(name: str) -> None:
    text = DOCUMENTS[name]
    assert await run(text, AcyclicExecutor) == await run(text)


def test_only_plain_selections_are_compiled() -> None:
    compiled = CompiledSelections()
    document = parse("query ($all: Boolean!) { items { id name @include(if: $all) } }")
    operation = document.definitions[0]
    plain = parse("{ items { id name price { amount } } }").definitions[0]
    query_type, item_type = schema._schema.query_type, schema._schema.get_type("Item")
    assert isinstance(operation, OperationDefinitionNode)
    assert isinstance(plain, OperationDefinitionNode)
    assert query_type is not None and isinstance(item_type, GraphQLObjectType)
    no_variables = VariableValues(sources={}, coerced={})
    root = collect_fields(schema._schema, {}, no_variables, query_type, operation)
    items = root.grouped_field_set["items"]
    assert compiled.plan(schema._schema, {}, operation, no_variables, item_type, items) is None
    root = collect_fields(schema._schema, {}, no_variables, query_type, plain)
    complete = compiled.plan(
        schema._schema, {}, plain, no_variables, item_type, root.grouped_field_set["items"]
    )
    assert complete is not None
    assert complete(ITEMS[0]) == {"id": "1", "name": "Mug", "price": {"amount": "24.95"}}
