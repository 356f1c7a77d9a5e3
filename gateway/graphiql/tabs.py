"""GraphiQL's tabs: one per step of the flow, each a document GraphiQL can check on its own.

The project's operation files hold every operation and shared fragments; GraphiQL lints each
tab alone, so a tab carries its operation, then only the fragments it spreads (transitively),
and only its own variables. A guest set runs the flow without a shopper token; a signed-in
set (present once the documents have ``SignIn``) starts with it and sends ``X-Shopper-Token``,
which flow.js fills from the SignIn answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    Source,
    parse,
    visit,
)
from graphql.language import Visitor

# The editor's documents, in order, each with its example variables (keyed by operation).
# A later document may use an earlier one's fragments. Missing files are skipped, so the
# page follows whatever documents the package ships.
DOCUMENTS = (
    ("checkout-flow.graphql", "variables.json"),
    ("cart-and-orders.graphql", "cart-and-orders.variables.json"),
)

# The flow's steps in the order a storefront runs them; other operations follow them.
FLOW_STEPS = (
    "SignIn",
    "CreateCart",
    "AddBillingAddress",
    "AddConsignment",
    "SelectShippingOption",
    "CreateOrder",
    "PaymentMethods",
    "PayWithStoredCard",
    "PayWithCard",
    "Order",
    "OrderStatus",
)
# Operations that make sense only with a shopper token: the guest set leaves them out when
# the documents can sign in.
SIGNED_IN_ONLY = frozenset({"SignIn", "SignOut", "Shopper", "PayWithStoredCard"})
# Where the signed-in set ends: see who is signed in, then sign out.
SIGNED_IN_LAST = ("Shopper", "SignOut")

# Examples for operations the variables files leave out (the contract's copy has no
# Checkout entry): the checkout id is the cart id.
FALLBACK_VARIABLES: dict[str, Any] = {"Checkout": {"id": "<cart id>"}}

SHOPPER_TOKEN_HEADER = "X-Shopper-Token"  # noqa: S105 (a header name)
# Filled by flow.js with the token of the last SignIn answer (never stored by the page).
SHOPPER_TOKEN_PLACEHOLDER = "<signIn.token>"  # noqa: S105 (shown, then replaced)
# Filled by flow.js with a fresh key per send, so a step can be run again.
NEW_KEY_PLACEHOLDER = "<new key>"

GUEST = "guest"
SIGNED_IN = "signedIn"


# Every kind of operation; a schema without a Subscription type serves fewer.
ALL_OPERATION_TYPES = frozenset({"query", "mutation", "subscription"})


@dataclass(frozen=True)
class Operation:
    """One operation of the documents: its text and the fragments it spreads directly."""

    name: str
    text: str
    spreads: tuple[str, ...]
    kind: str = "query"  # "query", "mutation" or "subscription"
    root_fields: tuple[str, ...] = ()

    @property
    def needs_shopper(self) -> bool:
        """Only a signed-in shopper gets anything from it: it signs in or out, or reads
        nothing but ``shopper`` (PaymentMethods also reads it, and a guest still runs it)."""
        return self.name in SIGNED_IN_ONLY or self.root_fields == ("shopper",)


@dataclass(frozen=True)
class Tab:
    """What GraphiQL opens one tab with (``defaultTabs`` entries, plus our own labels)."""

    operation: str
    audience: str  # GUEST or SIGNED_IN
    query: str
    variables: str | None  # JSON text, or None when the operation declares none
    headers: str | None  # JSON text, or None for a guest

    def as_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "audience": self.audience,
            "query": self.query,
            "variables": self.variables,
            "headers": self.headers,
        }


def _spreads(node: Node) -> tuple[str, ...]:
    names: list[str] = []

    class Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            if spread.name.value not in names:
                names.append(spread.name.value)

    visit(node, Collect())
    return tuple(names)


def _text_with_comments(source: str, node: Node) -> str:
    """The definition's own text, with the comment lines right above it (its caption)."""
    assert node.loc is not None
    start, end = node.loc.start, node.loc.end
    lines = source[:start].split("\n")
    lines.pop()  # the definition's own line, up to its first character
    caption: list[str] = []
    while lines and lines[-1].lstrip().startswith("#"):
        caption.insert(0, lines.pop().strip())
    body = source[start:end]
    return "\n".join([*caption, body]) if caption else body


def read_documents(texts: Iterable[str]) -> tuple[list[Operation], dict[str, Operation]]:
    """Operations (in document order) and fragments (by name) of the given documents."""
    operations: list[Operation] = []
    fragments: dict[str, Operation] = {}
    for text in texts:
        document: DocumentNode = parse(Source(text), no_location=False)
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                operations.append(
                    Operation(
                        definition.name.value,
                        _text_with_comments(text, definition),
                        _spreads(definition),
                        definition.operation.value,
                        tuple(
                            field.name.value
                            for field in definition.selection_set.selections
                            if isinstance(field, FieldNode)
                        ),
                    )
                )
            elif isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = Operation(
                    definition.name.value,
                    _text_with_comments(text, definition),
                    _spreads(definition),
                )
    return operations, fragments


def needed_fragments(operation: Operation, fragments: Mapping[str, Operation]) -> list[str]:
    """The fragments ``operation`` spreads, directly or through other fragments, in the
    order they are first reached (an unknown name is left for GraphiQL to report)."""
    order: list[str] = []
    pending = list(operation.spreads)
    while pending:
        name = pending.pop(0)
        if name in order or name not in fragments:
            continue
        order.append(name)
        pending.extend(fragments[name].spreads)
    return order


def _fresh_keys(value: Any) -> Any:
    # Example documents pin idempotency keys; in the editor each send gets a new one, so a
    # step can be run again without replaying the first answer.
    if isinstance(value, dict):
        return {
            key: NEW_KEY_PLACEHOLDER if key == "idempotencyKey" else _fresh_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_fresh_keys(item) for item in value]
    return value


def _ordered(names: list[str]) -> list[str]:
    steps = [name for name in FLOW_STEPS if name in names]
    return steps + [name for name in names if name not in FLOW_STEPS]


def build_tabs(
    operations: list[Operation],
    fragments: Mapping[str, Operation],
    variables: Mapping[str, Any],
) -> list[Tab]:
    """The signed-in set (when the documents can sign in), then the guest set."""
    by_name = {op.name: op for op in operations}
    names = _ordered(list(by_name))
    can_sign_in = "SignIn" in by_name
    # Without shopper identity in the documents every operation is a guest's.
    guest = [name for name in names if not (can_sign_in and by_name[name].needs_shopper)]
    sets: list[tuple[str, list[str]]] = []
    if can_sign_in:
        # The flow's steps, the shopper's own extras (order history), then who is signed in
        # and signing out; other extras (cart editing, the confirmation page) stay in the
        # guest set to keep the tab bar short.
        signed_in = [n for n in names if n in FLOW_STEPS]
        signed_in += [
            n
            for n in names
            if by_name[n].needs_shopper and n not in FLOW_STEPS and n not in SIGNED_IN_LAST
        ]
        signed_in += [n for n in SIGNED_IN_LAST if n in by_name]
        sets.append((SIGNED_IN, signed_in))
    sets.append((GUEST, guest))
    tabs = []
    for audience, members in sets:
        for position, name in enumerate(members, start=1):
            operation = by_name[name]
            tabs.append(
                _tab(operation, fragments, variables, audience, f"{position} of {len(members)}")
            )
    return tabs


def _tab(
    operation: Operation,
    fragments: Mapping[str, Operation],
    variables: Mapping[str, Any],
    audience: str,
    position: str,
) -> Tab:
    if audience == GUEST:
        who = f"Guest · {position} · no {SHOPPER_TOKEN_HEADER}"
    elif operation.name == "SignIn":
        who = f"Signed in · {position} · its answer's token goes to the next tabs' Headers"
    else:
        who = (
            f"Signed in · {position} · sends {SHOPPER_TOKEN_HEADER} from SignIn's answer (Headers)"
        )
    parts = [f"# {who}", operation.text]
    parts += [fragments[name].text for name in needed_fragments(operation, fragments)]
    own = variables.get(operation.name, FALLBACK_VARIABLES.get(operation.name))
    # SignIn itself is sent without a token: its answer is where the token comes from.
    headers = (
        json.dumps({SHOPPER_TOKEN_HEADER: SHOPPER_TOKEN_PLACEHOLDER}, indent=2)
        if audience == SIGNED_IN and operation.name != "SignIn"
        else None
    )
    return Tab(
        operation=operation.name,
        audience=audience,
        query="\n\n".join(parts) + "\n",
        variables=None if own is None else json.dumps(_fresh_keys(own), indent=2),
        headers=headers,
    )


# Beside this package, by path: importlib.resources.files("gateway") resolves by name, and a
# test folder called gateway/ early on sys.path would shadow the package.
OPERATIONS_DIR = Path(__file__).resolve().parent.parent / "operations"


def _read(folder: Path, name: str) -> str | None:
    path = folder / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def served_operation_types(schema: GraphQLSchema) -> frozenset[str]:
    """The kinds of operation ``schema`` has a root type for."""
    roots = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }
    return frozenset(kind for kind, root in roots.items() if root is not None)


def flow_tabs(operation_types: frozenset[str] = ALL_OPERATION_TYPES) -> list[Tab]:
    """The tabs for the operation documents shipped in ``gateway/operations``.

    Operations of a kind the gateway does not serve (a subscription, when the schema has no
    Subscription type) get no tab: GraphiQL would flag the whole tab on load.
    """
    folder = OPERATIONS_DIR
    texts: list[str] = []
    variables: dict[str, Any] = {}
    for document, examples in DOCUMENTS:
        text = _read(folder, document)
        if text is None:
            continue
        texts.append(text)
        example_text = _read(folder, examples)
        if example_text is not None:
            variables.update(json.loads(example_text))
    operations, fragments = read_documents(texts)
    served = [op for op in operations if op.kind in operation_types]
    return build_tabs(served, fragments, variables)
