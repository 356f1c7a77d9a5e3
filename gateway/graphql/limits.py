"""Abuse limits on a GraphQL document, as graphql-core validation rules.

They run with the specified rules when a document is first seen, so their
verdict is cached with the document. Fragments are expanded when counting (an
alias inside a fragment spread ten times counts ten times); each fragment's
totals are memoised, so a document built to blow up exponentially is measured in
linear time, and a fragment cycle (reported by NoFragmentCyclesRule) counts as
nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
)
from graphql.validation import ASTValidationRule

PAYMENT_MUTATIONS = frozenset({"payWithCard", "payWithStoredCard"})


@dataclass(frozen=True)
class QueryLimits:
    """Defaults follow the OWASP GraphQL cheat sheet and Apollo Router's operation limits."""

    max_depth: int = 15
    max_aliases: int = 30
    max_root_fields: int = 20
    max_payment_mutations: int = 1


@dataclass
class _Measure:
    depth: int = 0
    aliases: int = 0


class _Measurer:
    """Depth and alias count of selection sets, fragments expanded and memoised."""

    def __init__(self, context: ValidationContext) -> None:
        self._context = context
        self._fragments: dict[str, _Measure] = {}
        self._visiting: set[str] = set()

    def selection_set(self, node: SelectionSetNode | None) -> _Measure:
        total = _Measure()
        if node is None:
            return total
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                total.depth = max(total.depth, inner.depth + 1)
                total.aliases += inner.aliases + (1 if selection.alias else 0)
            else:
                inner = self._fragment_like(selection)
                total.depth = max(total.depth, inner.depth)
                total.aliases += inner.aliases
        return total

    def _fragment_like(self, node: Any) -> _Measure:
        if isinstance(node, InlineFragmentNode):
            return self.selection_set(node.selection_set)
        assert isinstance(node, FragmentSpreadNode)
        name = node.name.value
        known = self._fragments.get(name)
        if known is not None:
            return known
        fragment = self._context.get_fragment(name)
        if fragment is None or name in self._visiting:
            return _Measure()  # unknown fragment or a cycle: other rules report it
        self._visiting.add(name)
        measure = self.selection_set(fragment.selection_set)
        self._visiting.discard(name)
        self._fragments[name] = measure
        return measure

    def root_fields(self, node: SelectionSetNode) -> list[FieldNode]:
        fields: list[FieldNode] = []
        seen: set[str] = set()
        stack: list[Any] = list(reversed(node.selections))
        while stack:
            selection = stack.pop()
            if isinstance(selection, FieldNode):
                fields.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                stack.extend(reversed(selection.selection_set.selections))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._context.get_fragment(name)
                if fragment is not None and name not in seen:
                    seen.add(name)  # a root fragment spread twice selects its fields once
                    stack.extend(reversed(fragment.selection_set.selections))
        return fields


def limit_rules(limits: QueryLimits) -> list[type[ASTValidationRule]]:
    """One validation rule enforcing ``limits`` (a class, as graphql-core's ``validate`` wants)."""

    class QueryLimitsRule(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self._measurer = _Measurer(context)

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            name = f"Operation '{node.name.value}'" if node.name else "The operation"
            measure = self._measurer.selection_set(node.selection_set)
            if measure.depth > limits.max_depth:
                self._report(
                    f"{name} is nested {measure.depth} levels deep; at most "
                    f"{limits.max_depth} are allowed.",
                    "MAX_DEPTH_EXCEEDED",
                    node,
                )
            if measure.aliases > limits.max_aliases:
                self._report(
                    f"{name} uses {measure.aliases} aliases (fragments expanded); at most "
                    f"{limits.max_aliases} are allowed.",
                    "MAX_ALIASES_EXCEEDED",
                    node,
                )
            roots = self._measurer.root_fields(node.selection_set)
            if len(roots) > limits.max_root_fields:
                self._report(
                    f"{name} selects {len(roots)} root fields; at most "
                    f"{limits.max_root_fields} are allowed.",
                    "MAX_ROOT_FIELDS_EXCEEDED",
                    node,
                )
            if node.operation is OperationType.MUTATION:
                payments = sum(1 for field in roots if field.name.value in PAYMENT_MUTATIONS)
                if payments > limits.max_payment_mutations:
                    self._report(
                        f"{name} makes {payments} payments; send one payment mutation per request.",
                        "TOO_MANY_PAYMENT_MUTATIONS",
                        node,
                    )

        def _report(self, message: str, code: str, node: OperationDefinitionNode) -> None:
            self.report_error(GraphQLError(message, node, extensions={"code": code}))

    return [QueryLimitsRule]
