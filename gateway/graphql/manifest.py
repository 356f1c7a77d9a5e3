"""``checkout-gateway manifest FILES...``: an Apollo persisted query manifest for .graphql files.

Each operation becomes one entry whose body is what Apollo Client sends for it,
so the ids match the ones Apollo's own ``generate-persisted-query-manifest``
computes: ``__typename`` added to every selection set below the operation's
root (as Apollo Client's cache does), then the operation followed by the
fragments it uses (transitively) sorted by name, printed by graphql's printer;
the id is the SHA-256 of that body, entries are sorted by operation name.
Unlike Apollo's tool, one file may hold several operations (each gets its own
entry with only the fragments it uses). Fragments may live in any of the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    NameNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from gateway.graphql.persisted_operations import MANIFEST_FORMAT, sha256_hex


class ManifestError(ValueError):
    """A file that does not parse, an anonymous or repeated operation, an unknown fragment."""


def manifest_for(paths: Sequence[str]) -> dict[str, Any]:
    operations: dict[str, OperationDefinitionNode] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path in paths:
        for definition in _parse(path).definitions:
            if isinstance(definition, FragmentDefinitionNode):
                name = definition.name.value
                if name in fragments:
                    raise ManifestError(f"{path}: fragment {name} is defined twice")
                fragments[name] = definition
            elif isinstance(definition, OperationDefinitionNode):
                if definition.name is None:
                    raise ManifestError(
                        f"{path}: anonymous operations are not supported; "
                        f"name your {definition.operation.value}"
                    )
                name = definition.name.value
                if name in operations:
                    raise ManifestError(f"{path}: operation {name} is defined twice")
                operations[name] = definition
    entries = []
    for name in sorted(operations):
        operation = operations[name]
        used = [fragments[f] for f in sorted(_fragments_used(operation, fragments, name))]
        document = DocumentNode(definitions=(operation, *used))
        body = print_ast(visit(document, AddTypename()))
        entries.append(
            {"id": sha256_hex(body), "name": name, "type": operation.operation.value, "body": body}
        )
    return {"format": MANIFEST_FORMAT, "version": 1, "operations": entries}


def manifest_json(paths: Sequence[str]) -> bytes:
    """The manifest as indented JSON, the same bytes for the same files."""
    return orjson.dumps(manifest_for(paths), option=orjson.OPT_INDENT_2) + b"\n"


def _parse(path: str) -> DocumentNode:
    try:
        return parse(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: {exc.strerror or exc}") from None
    except GraphQLError as exc:
        raise ManifestError(f"{path}: {exc.message}") from None


def _fragments_used(
    node: Node, fragments: dict[str, FragmentDefinitionNode], operation: str
) -> set[str]:
    found: set[str] = set()
    pending: list[Node] = [node]
    while pending:
        for name in _spreads(pending.pop()):
            if name in found:
                continue
            if name not in fragments:
                raise ManifestError(f"operation {operation}: fragment {name} is not defined")
            found.add(name)
            pending.append(fragments[name])
    return found


def _spreads(node: Node) -> Iterable[str]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())
    return names


TYPENAME = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())


class AddTypename(Visitor):
    """``__typename`` at the end of each selection set, as Apollo Client's cache adds it.

    Not at an operation's root, not where ``__typename`` (or another ``__`` field) is
    selected already, not under an ``@export``-ed field.
    """

    def enter_selection_set(
        self, node: SelectionSetNode, _key: object, parent: object, *_: object
    ) -> SelectionSetNode | None:
        if isinstance(parent, OperationDefinitionNode):
            return None
        if any(isinstance(s, FieldNode) and s.name.value.startswith("__") for s in node.selections):
            return None
        if isinstance(parent, FieldNode) and any(
            d.name.value == "export" for d in parent.directives or ()
        ):
            return None
        return SelectionSetNode(selections=(*node.selections, TYPENAME))
