"""The GraphQL documents the benchmark sends, cut out of gateway/operations/checkout-flow.graphql.

Each operation is sent alone with just the fragments it uses, so that a server whose
schema has only the queries (the baseline) can validate it too.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

REPO = Path(__file__).resolve().parent.parent
FLOW_FILE = REPO / "gateway" / "operations" / "checkout-flow.graphql"


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spreads(node: OperationDefinitionNode | FragmentDefinitionNode) -> set[str]:
    v = _Spreads()
    visit(node, v)
    return v.names


@cache
def _flow_document() -> DocumentNode:
    return parse(FLOW_FILE.read_text())


@cache
def operation_document(name: str, without_root_fields: tuple[str, ...] = ()) -> str:
    """The text of operation ``name`` plus every fragment it uses (transitively).

    ``without_root_fields`` leaves root fields out (the baseline has no ``shopper``)."""
    doc = _flow_document()
    ops = {
        d.name.value: d
        for d in doc.definitions
        if isinstance(d, OperationDefinitionNode) and d.name
    }
    frags = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    op = ops[name]
    if without_root_fields:
        kept = tuple(
            sel
            for sel in op.selection_set.selections
            if not (isinstance(sel, FieldNode) and sel.name.value in without_root_fields)
        )
        # Nodes are frozen (and the parsed document is cached): a changed copy.
        op = replace(op, selection_set=replace(op.selection_set, selections=kept))
    needed: list[str] = []
    todo = sorted(_spreads(op))
    while todo:
        f = todo.pop()
        if f in needed:
            continue
        needed.append(f)
        todo.extend(sorted(_spreads(frags[f])))
    parts = [print_ast(op)] + [print_ast(frags[f]) for f in sorted(needed)]
    return "\n\n".join(parts)
