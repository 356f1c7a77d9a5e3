"""Selections over plain fields, completed by one compiled function instead of per field.

A checkout answer is ~90 fields, every one a plain attribute of a domain object
(``gateway.schema.plain_fields``). graphql-core executes each of them through
execute_field -> resolve -> complete_value: most of a checkout query's CPU. Once a
selection set below an object is known to hold only plain fields (no arguments,
no directives, no resolvers of their own), it is compiled once into a function
that reads the attributes and builds the answer directly: per object, Python source
generated from the selection (``_ObjectSource``), so a field costs an attribute read
and a type test, not a loop step and a call per wrapper.

The compiled function is a shortcut, never a second semantics: whenever the
value does not fit the plan (a null in a non-null field, a scalar that does not
serialize, an unknown concrete type), it raises ``NotPlain`` and the executor
completes that object the ordinary way, which produces the proper errors.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from keyword import iskeyword
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    FieldNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_subfields,
)
from graphql.execution.values import VariableValues

from gateway.graphql.plain_readers import plain_attribute

Complete = Callable[[Any], Any]
# is_type_of and resolve_type of this schema look at the value alone (gateway.schema.types).
NO_INFO: Any = None


def _leaf(leaf_type: GraphQLLeafType, *, non_null: bool) -> Complete:
    """A scalar or enum field; a non-null one in the same function (a field of every three)."""
    coerce = leaf_type.coerce_output_value
    # String and ID answer a str as it is (their serializers' first case): most leaves.
    as_is = str if leaf_type is GraphQLString or leaf_type is GraphQLID else None

    if non_null:

        def non_null_leaf(value: Any) -> Any:
            if type(value) is as_is:
                return value
            if value is None:
                raise NotPlain
            try:
                completed = coerce(value)
            except Exception:
                raise NotPlain from None
            if completed is None:
                raise NotPlain
            return completed

        return non_null_leaf

    def leaf(value: Any) -> Any:
        if value is None or type(value) is as_is:
            return value
        try:
            return coerce(value)
        except Exception:
            raise NotPlain from None

    return leaf


# graphql-core's serializers answer these values unchanged (their first case).
_KEPT_AS_IS = {
    "String": "type({v}) is str",
    "ID": "type({v}) is str",
    "Int": f"type({{v}}) is int and {GRAPHQL_MIN_INT} <= {{v}} <= {GRAPHQL_MAX_INT}",
    "Boolean": "type({v}) is bool",
}
_STANDARD = (GraphQLString, GraphQLID, GraphQLInt, GraphQLBoolean)


def _kept_as_is(leaf_type: GraphQLLeafType, v: str) -> str | None:
    """The test that ``v`` is answered unchanged by the type's serializer; None for a type
    whose values always go through it (a custom scalar, an enum, a renamed standard)."""
    if not any(leaf_type is known for known in _STANDARD):
        return None
    return _KEPT_AS_IS[leaf_type.name].format(v=v)


class NotPlain(Exception):
    """The value does not fit the compiled plan: complete it the ordinary way."""


def not_plain() -> Any:
    """``raise NotPlain`` where only an expression may stand (a comprehension's item)."""
    raise NotPlain


class _Unsupported(Exception):
    """The selection cannot be compiled (a resolver, an argument, a directive)."""


def _has_directives(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDetails], seen: set[str]
) -> bool:
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        if selection.directives:
            return True
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen:
                continue
            seen.add(name)
            fragment = fragments.get(name)
            if (
                fragment is None
                or fragment.definition.directives
                or _has_directives(fragment.definition.selection_set, fragments, seen)
            ):
                return True
        elif isinstance(selection, (FieldNode, InlineFragmentNode)) and _has_directives(
            selection.selection_set, fragments, seen
        ):
            return True
    return False


class _ObjectSource:
    """The Python source of one object's completion: one straight-line function.

    Each field is read with an attribute access and finished inline where it can be:
    a leaf that is already a ``str`` (most of them) needs no call, a nested object one
    call. Lists and abstract types call their completion closures. The same checks,
    in the same order, as completing field by field; only the calls are fewer.
    """

    def __init__(self, object_type: GraphQLObjectType) -> None:
        self.type_name = object_type.name
        self.namespace: dict[str, Any] = {"NotPlain": NotPlain, "not_plain": not_plain}
        self.lines: list[str] = []
        self.entries: list[str] = []
        if object_type.is_type_of is not None:
            self.namespace["is_type_of"] = object_type.is_type_of
            self.lines.append("if is_type_of(value, None) is not True: raise NotPlain")

    def typename(self, key: str) -> None:
        self.entries.append(f"{key!r}: {self.type_name!r}")

    def field(
        self,
        key: str,
        attribute: str,
        output_type: GraphQLOutputType,
        group: Sequence[FieldDetails],
        compiler: _Compiler,
    ) -> None:
        n = len(self.entries)
        local, finish = f"v{n}", f"f{n}"
        read = (
            f"value.{attribute}"
            if attribute.isidentifier() and not iskeyword(attribute)
            else f"getattr(value, {attribute!r})"
        )
        self.lines.append(f"{local} = {read}")
        non_null = isinstance(output_type, GraphQLNonNull)
        named = output_type.of_type if isinstance(output_type, GraphQLNonNull) else output_type
        if isinstance(named, GraphQLLeafType):
            self._leaf_inline(local, finish, named, non_null=non_null)
        elif isinstance(named, GraphQLObjectType):
            # An object's completion answers a dict, never None.
            self.namespace[finish] = compiler.object(named, group)
            if non_null:
                self.lines.append(f"if {local} is None: raise NotPlain")
                self.lines.append(f"{local} = {finish}({local})")
            else:
                self.lines.append(f"if {local} is not None: {local} = {finish}({local})")
        elif isinstance(named, GraphQLList):
            self._list(local, finish, named.of_type, group, compiler, non_null=non_null)
        else:
            self.namespace[finish] = compiler.value(output_type, group)
            self.lines.append(f"{local} = {finish}({local})")
        self.entries.append(f"{key!r}: {local}")

    def _leaf_inline(
        self, local: str, coerce: str, leaf_type: GraphQLLeafType, *, non_null: bool
    ) -> None:
        """A leaf's completion written out: the value kept when its type needs no
        serializing (a str of String or ID, an in-range int of Int, a bool of Boolean),
        else the type's serializer called here; a failure or a null in a non-null
        field is NotPlain, as in ``_leaf``."""
        self.namespace[coerce] = leaf_type.coerce_output_value
        self.lines.append(f"if {self._leaf_test(local, leaf_type, non_null=non_null)}:")
        if non_null:
            self.lines.append(f"    if {local} is None: raise NotPlain")
        self.lines.append(f"    try: {local} = {coerce}({local})")
        self.lines.append("    except Exception: raise NotPlain from None")
        if non_null:
            self.lines.append(f"    if {local} is None: raise NotPlain")

    @staticmethod
    def _leaf_test(local: str, leaf_type: GraphQLLeafType, *, non_null: bool) -> str:
        """When the leaf's completion must be called: not for a value kept as it is."""
        kept = _kept_as_is(leaf_type, local)
        if kept is None:
            return "True" if non_null else f"{local} is not None"
        return f"not ({kept})" if non_null else f"{local} is not None and not ({kept})"

    def _list(
        self,
        local: str,
        finish: str,
        item_type: GraphQLOutputType,
        group: Sequence[FieldDetails],
        compiler: _Compiler,
        *,
        non_null: bool,
    ) -> None:
        """A list field: its checks, then one comprehension over its items."""
        if non_null:
            self.lines.append(f"if {local} is None: raise NotPlain")
            indent = ""
        else:
            self.lines.append(f"if {local} is not None:")
            indent = "    "
        self.lines.append(f"{indent}if isinstance({local}, (str, bytes, dict)): raise NotPlain")
        item_non_null = isinstance(item_type, GraphQLNonNull)
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if isinstance(named, GraphQLLeafType):
            self.namespace[finish] = _leaf(named, non_null=item_non_null)
            test = self._leaf_test("x", named, non_null=item_non_null)
            item = f"{finish}(x)" if test == "True" else f"{finish}(x) if {test} else x"
        elif isinstance(named, GraphQLObjectType):
            self.namespace[finish] = compiler.object(named, group)
            if item_non_null:
                item = f"{finish}(x) if x is not None else not_plain()"
            else:
                item = f"None if x is None else {finish}(x)"
        else:
            self.namespace[finish] = compiler.value(item_type, group)
            item = f"{finish}(x)"
        self.lines.append(f"{indent}{local} = [{item} for x in {local}]")

    def function(self) -> Complete:
        body = "".join(f"    {line}\n" for line in self.lines)
        answer = ", ".join(self.entries)
        text = f"def complete(value):\n{body}    return {{{answer}}}\n"
        # Keys are GraphQL names and attributes identifiers (or repr'd): nothing else is
        # pasted in, and every value the function uses is in its namespace.
        exec(compile(text, f"<completion of {self.type_name}>", "exec"), self.namespace)  # noqa: S102
        complete: Complete = self.namespace["complete"]
        return complete


class _Compiler:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        operation: OperationDefinitionNode,
        variable_values: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.operation = operation
        # Without directives or arguments below, variables cannot change what is collected.
        self.variable_values = variable_values

    def object(
        self, object_type: GraphQLObjectType, field_details: Sequence[FieldDetails]
    ) -> Complete:
        for details in field_details:
            if details.defer_usage is not None or details.fragment_variable_values:
                raise _Unsupported
            if _has_directives(details.node.selection_set, self.fragments, set()):
                raise _Unsupported
        collected = collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            object_type,
            list(field_details),
        )
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise _Unsupported
        source = _ObjectSource(object_type)
        for key, group in collected.grouped_field_set.items():
            name = group[0].node.name.value
            if name == "__typename":
                source.typename(key)
                continue
            field = object_type.fields.get(name)
            attribute = plain_attribute(field.resolve) if field is not None else None
            if field is None or attribute is None or field.args:
                raise _Unsupported
            source.field(key, attribute, field.type, group, self)
        return source.function()

    def value(self, output_type: GraphQLOutputType, group: Sequence[FieldDetails]) -> Complete:
        if isinstance(output_type, GraphQLNonNull):
            if isinstance(output_type.of_type, GraphQLLeafType):
                return _leaf(output_type.of_type, non_null=True)
            inner = self.value(output_type.of_type, group)

            def non_null(value: Any) -> Any:
                if value is None:
                    raise NotPlain
                completed = inner(value)
                if completed is None:
                    raise NotPlain
                return completed

            return non_null
        if isinstance(output_type, GraphQLList):
            item = self.value(output_type.of_type, group)

            def many(value: Any) -> Any:
                if value is None:
                    return None
                if isinstance(value, (str, bytes, dict)):
                    raise NotPlain
                return [item(entry) for entry in value]

            return many
        if isinstance(output_type, GraphQLLeafType):
            return _leaf(output_type, non_null=False)
        if isinstance(output_type, GraphQLObjectType):
            complete_object = self.object(output_type, group)

            def nested(value: Any) -> Any:
                return None if value is None else complete_object(value)

            return nested
        if isinstance(output_type, GraphQLAbstractType):
            return self.abstract(output_type, group)
        raise _Unsupported

    def abstract(
        self, abstract_type: GraphQLAbstractType, group: Sequence[FieldDetails]
    ) -> Complete:
        resolve_type = abstract_type.resolve_type
        if resolve_type is None:
            raise _Unsupported
        by_name = {
            concrete.name: self.object(concrete, group)
            for concrete in self.schema.get_possible_types(abstract_type)
        }

        def concrete(value: Any) -> Any:
            if value is None:
                return None
            try:
                name = resolve_type(value, NO_INFO, abstract_type)
            except Exception:
                raise NotPlain from None
            complete_object = by_name.get(name) if isinstance(name, str) else None
            if complete_object is None:
                raise NotPlain
            return complete_object(value)

        return concrete


class CompiledSelections:
    """Compiled completions, cached across requests by type and selection node identity.

    The key is the identity of the selection's field nodes; the cached entry holds
    the nodes themselves, so an id can never be reused while its entry lives.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self._plans: OrderedDict[tuple[str, tuple[int, ...]], tuple[Any, Complete | None]] = (
            OrderedDict()
        )
        self._maxsize = maxsize

    def plan(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        operation: OperationDefinitionNode,
        variable_values: VariableValues,
        object_type: GraphQLObjectType,
        field_details: Sequence[FieldDetails],
    ) -> Complete | None:
        key = (object_type.name, tuple(id(details.node) for details in field_details))
        found = self._plans.get(key)
        if found is not None:
            self._plans.move_to_end(key)
            return found[1]
        try:
            compiler = _Compiler(schema, fragments, operation, variable_values)
            complete: Complete | None = compiler.object(object_type, field_details)
        except _Unsupported:
            complete = None
        nodes = tuple(details.node for details in field_details)
        self._plans[key] = (nodes, complete)
        if len(self._plans) > self._maxsize:
            self._plans.popitem(last=False)
        return complete
