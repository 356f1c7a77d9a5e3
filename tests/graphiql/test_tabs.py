"""GraphiQL's tabs: each a valid document of its own, in the flow's order, with its variables."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from graphql import GraphQLSchema, NonNullTypeNode, OperationDefinitionNode, parse, validate
from graphql import build_schema as build_graphql_schema

from gateway.graphiql.page import PLACEHOLDERS
from gateway.graphiql.tabs import (
    ALL_OPERATION_TYPES,
    FLOW_STEPS,
    GUEST,
    NEW_KEY_PLACEHOLDER,
    SHOPPER_TOKEN_HEADER,
    SHOPPER_TOKEN_PLACEHOLDER,
    SIGNED_IN,
    SIGNED_IN_ONLY,
    Tab,
    build_tabs,
    flow_tabs,
    needed_fragments,
    read_documents,
    served_operation_types,
)
from gateway.schema import build_schema


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


@pytest.fixture(scope="module")
def served(schema: GraphQLSchema) -> frozenset[str]:
    """What the gateway's page is rendered with (gateway/http/app.py)."""
    return served_operation_types(schema)


def operation_of(tab: Tab) -> OperationDefinitionNode:
    operations = [d for d in parse(tab.query).definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1, tab.query
    return operations[0]


def shipped_operation_names(kinds: frozenset[str]) -> list[str]:
    folder = resources.files("gateway") / "operations"
    names = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".graphql"):
            operations, _ = read_documents([path.read_text(encoding="utf-8")])
            names += [op.name for op in operations if op.kind in kinds]
    return names


def test_every_tab_is_one_valid_operation_with_only_its_fragments(
    schema: GraphQLSchema, served: frozenset[str]
) -> None:
    # graphql-core's full rule set: no unknown and no unused fragment, every variable known.
    for tab in flow_tabs(served):
        assert validate(schema, parse(tab.query)) == [], tab.operation
        assert operation_of(tab).name is not None
        assert operation_of(tab).name.value == tab.operation  # type: ignore[union-attr]


def test_variables_are_what_the_operation_declares() -> None:
    # No unknown key (GraphiQL would flag it) and every required variable given.
    for tab in flow_tabs():
        definitions = operation_of(tab).variable_definitions or ()
        declared = {v.variable.name.value for v in definitions}
        required = {
            v.variable.name.value
            for v in definitions
            if isinstance(v.type, NonNullTypeNode) and v.default_value is None
        }
        given = set(json.loads(tab.variables)) if tab.variables is not None else set()
        assert required <= given <= declared, tab.operation


def test_every_shipped_operation_has_a_tab_and_steps_keep_the_flow_order(
    served: frozenset[str],
) -> None:
    tabs = flow_tabs(served)
    assert {tab.operation for tab in tabs} == set(shipped_operation_names(served))
    for audience in (GUEST, SIGNED_IN):
        names = [tab.operation for tab in tabs if tab.audience == audience]
        steps = [name for name in names if name in FLOW_STEPS]
        assert steps == sorted(steps, key=FLOW_STEPS.index)
        assert names[: len(steps)] == steps  # the flow first, extras after
    assert tabs[0].audience == (SIGNED_IN if "SignIn" in shipped_operation_names(served) else GUEST)


def test_only_kinds_of_operation_the_schema_serves_get_tabs() -> None:
    without = build_graphql_schema("type Query { a: Int } type Mutation { b: Int }")
    with_subscriptions = build_graphql_schema("type Query { a: Int } type Subscription { c: Int }")
    assert served_operation_types(without) == {"query", "mutation"}
    assert served_operation_types(with_subscriptions) == {"query", "subscription"}
    every = flow_tabs(ALL_OPERATION_TYPES)
    subscriptions = {
        t.operation for t in every if operation_of(t).operation.value == "subscription"
    }
    assert subscriptions == set(shipped_operation_names(frozenset({"subscription"})))
    assert not subscriptions & {t.operation for t in flow_tabs(frozenset({"query", "mutation"}))}


def test_placeholders_are_known_and_keys_are_fresh() -> None:
    for tab in flow_tabs():
        text = tab.variables or "{}"
        assert set(re.findall(r'"(<[^"]+>)"', text)) <= PLACEHOLDERS.keys(), tab.operation
        keys = re.findall(r'"idempotencyKey": ("[^"]*")', text)
        assert all(json.loads(key) == NEW_KEY_PLACEHOLDER for key in keys), tab.operation


FRAGMENTS = """
fragment Money on Money { amount currencyCode }
fragment Line on LineItem { id price { ...Money } }
fragment Unused on Cart { id }
"""

DOCUMENT = (
    FRAGMENTS
    + """
# Step 0: a cart.
mutation CreateCart($input: CreateCartInput!) { createCart(input: $input) { ...Line } }

query Checkout($id: ID!) { checkout(id: $id) { id } shopper { customerId } }

mutation SignOut { signOut { ok } }

# Who is signed in.
query Shopper { shopper { customerId } }

mutation PayWithStoredCard($input: PayInput!) { pay(input: $input) { ...Missing } }

mutation SignIn($input: SignInInput!) { signIn(input: $input) { token } }

query ShopperOrders { shopper { orders { id } } }
"""
)

VARIABLES = {
    "CreateCart": {"input": {"idempotencyKey": "pinned", "lines": [{"idempotencyKey": "x"}]}},
    "SignIn": {"input": {"email": "jane@example.com"}},
}


def test_signed_in_set_starts_with_sign_in_and_sends_the_token() -> None:
    operations, fragments = read_documents([DOCUMENT])
    tabs = build_tabs(operations, fragments, VARIABLES)
    signed_in = [t for t in tabs if t.audience == SIGNED_IN]
    guest = [t for t in tabs if t.audience == GUEST]
    assert tabs[: len(signed_in)] == signed_in  # the signed-in set comes first
    assert [t.operation for t in signed_in] == [
        "SignIn",
        "CreateCart",
        "PayWithStoredCard",
        "ShopperOrders",  # reads only shopper: an extra of the signed-in set
        "Shopper",
        "SignOut",
    ]
    assert [t.operation for t in guest] == ["CreateCart", "Checkout"]
    assert not {t.operation for t in guest} & SIGNED_IN_ONLY
    assert signed_in[0].headers is None  # SignIn is where the token comes from
    for tab in signed_in[1:]:
        assert json.loads(tab.headers or "") == {SHOPPER_TOKEN_HEADER: SHOPPER_TOKEN_PLACEHOLDER}
    for tab in signed_in:
        assert tab.query.startswith(f"# Signed in · {signed_in.index(tab) + 1} of 6 ·")
    for tab in guest:
        assert tab.headers is None
        assert tab.query.startswith(f"# Guest · {guest.index(tab) + 1} of 2 ·")


def test_a_tab_carries_its_caption_then_the_fragments_it_reaches() -> None:
    operations, fragments = read_documents([DOCUMENT])
    by_name = {t.operation: t for t in build_tabs(operations, fragments, VARIABLES)}
    create_cart = by_name["CreateCart"]
    assert create_cart.query.split("\n\n")[1:] == [
        "# Step 0: a cart.\nmutation CreateCart($input: CreateCartInput!) "
        "{ createCart(input: $input) { ...Line } }",
        "fragment Line on LineItem { id price { ...Money } }",
        "fragment Money on Money { amount currencyCode }\n",
    ]
    assert json.loads(create_cart.variables or "") == {
        "input": {
            "idempotencyKey": NEW_KEY_PLACEHOLDER,
            "lines": [{"idempotencyKey": NEW_KEY_PLACEHOLDER}],
        }
    }
    assert by_name["Shopper"].query.split("\n\n")[1] == (
        "# Who is signed in.\nquery Shopper { shopper { customerId } }\n"
    )
    assert by_name["Shopper"].variables is None
    # No example in the files: the checkout id is the cart id.
    assert json.loads(by_name["Checkout"].variables or "") == {"id": "<cart id>"}


def test_needed_fragments_are_transitive_and_skip_unknown_names() -> None:
    operations, fragments = read_documents([DOCUMENT])
    by_name = {op.name: op for op in operations}
    assert needed_fragments(by_name["CreateCart"], fragments) == ["Line", "Money"]
    assert needed_fragments(by_name["PayWithStoredCard"], fragments) == []
    assert needed_fragments(by_name["Checkout"], fragments) == []


def test_without_sign_in_there_is_only_the_guest_set() -> None:
    document = FRAGMENTS + "query Order { order { id } }\nmutation PayWithStoredCard { pay }"
    operations, fragments = read_documents([document])
    tabs = build_tabs(operations, fragments, {})
    assert [(t.operation, t.audience) for t in tabs] == [
        ("PayWithStoredCard", GUEST),
        ("Order", GUEST),
    ]
