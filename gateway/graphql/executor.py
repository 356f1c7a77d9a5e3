"""graphql-core's executor, without its reference cycle and with compiled plain selections.

The plain ``Executor``, not the incremental one ``execute`` picks by default: the schema
offers no ``@defer``/``@stream`` (``execute`` refuses a schema that does), and the
incremental executor's per-request state (delivery groups, execution plans) cost ~1%
of a checkout query.

The executor keeps ``GraphQLResolveInfoHelpers`` built from two of its own bound
methods, so every finished request (executor, its sub-field caches, the
answer's domain objects: ~300 objects) is a cycle that only the cyclic garbage
collector frees. With many requests in flight they live long enough to reach the
oldest generation, and full collections were a fifth of a checkout query's CPU.
Holding the executor weakly in those helpers lets reference counting free it.

Objects whose selection holds only plain fields are completed by a compiled
function (``compiled_selections``), cached across requests.

``execute_document`` runs an operation of a cached document the way graphql-core's
``execute`` does, minus the per-request work that depends on the document alone:
the operation and its fragments are found once per document and operation name.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)
from graphql.execution import (
    Executor,
    default_field_resolver,
    default_type_resolver,
    execute,
    get_variable_values,
)
from graphql.execution.collect_fields import FieldDetails, FieldDetailsList, FragmentDetails
from graphql.execution.get_variable_signature import (
    GraphQLVariableSignature,
    get_variable_signature,
)
from graphql.execution.values import (
    VariableValues,
    VariableValueSource,
    get_argument_values,
    input_is_nested_too_deeply,
)
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from graphql.type import GraphQLLeafType, GraphQLNonNull
from graphql.type.definition import GraphQLResolveInfoHelpers
from graphql.utilities.coerce_input_value import coerce_input_value

from gateway.graphql.compiled_selections import (
    CompiledSelections,
    Complete,
    NotPlain,
    not_plain,
)
from gateway.graphql.documents import Document
from gateway.graphql.plain_readers import context_read

COMPILED = CompiledSelections()


class AcyclicExecutor(Executor[Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        executor = weakref.ref(self)

        # Resolvers only call these while the execution (and so the executor) runs.
        def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
            return _alive(executor).gather_async_work(values)

        def track(values: Sequence[Any]) -> None:
            _alive(executor).track_async_work(values)

        self.async_helpers = GraphQLResolveInfoHelpers(gather=gather, track=track)

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        complete = COMPILED.plan(
            self.schema,
            self.fragments,
            self.operation,
            self.variable_values,
            return_type,
            field_details_list,
        )
        if complete is not None:
            try:
                completed: dict[str, Any] = complete(result)  # an object's fields
                return completed
            except NotPlain:
                pass  # the ordinary path below finds and reports what did not fit
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )


def _alive(ref: weakref.ref[AcyclicExecutor]) -> AcyclicExecutor:
    executor = ref()
    if executor is None:  # pragma: no cover - the helpers outlived their execution
        raise RuntimeError("the GraphQL execution has finished")
    return executor


MAX_COERCION_ERRORS = 50  # graphql-core's execute default


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    """The operation to run and the document's fragments, as graphql-core's build finds them."""

    operation: OperationDefinitionNode
    fragment_definitions: dict[str, FragmentDefinitionNode]
    fragments: dict[str, FragmentDetails]
    # Each variable: its name, its signature, whether it is a (non-null) scalar or enum;
    # None when a signature is an error (graphql-core's coercion reports it).
    variables: tuple[tuple[str, GraphQLVariableSignature, bool], ...] | None
    # The query's only field, when it is a root read that can run without the executor.
    lone_read: LoneRootRead | None


@dataclass(frozen=True, slots=True)
class LoneRootRead:
    """A query of one root field marked ``context_reader`` (no directives, one argument),
    whose type is a nullable object or a nullable list of non-null objects."""

    key: str  # its response name
    field: GraphQLField
    node: FieldNode
    argument: str
    variable: str | None  # the argument's value is this variable (validated as its type)
    read: Callable[[Any, Any], Any]
    complete: Complete  # the compiled completion of its selection, per object
    many: bool


def _lone_root_read(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDetails],
) -> LoneRootRead | None:
    selections = operation.selection_set.selections
    query = schema.query_type
    if (
        operation.operation is not OperationType.QUERY
        or operation.directives
        or query is None
        or len(selections) != 1
    ):
        return None
    node = selections[0]
    if not isinstance(node, FieldNode) or node.directives:
        return None
    field = query.fields.get(node.name.value)
    mark = context_read(field.resolve) if field is not None else None
    if field is None or mark is None or list(field.args) != [mark[0]]:
        return None
    field_type = field.type
    many = isinstance(field_type, GraphQLList)
    if many:
        item = field_type.of_type
        if not isinstance(item, GraphQLNonNull):
            return None
        field_type = item.of_type
    if not isinstance(field_type, GraphQLObjectType):
        return None
    # Compiled once: a selection that compiles has no directives, so no variable can
    # change what it collects.
    no_variables = VariableValues({}, {})
    details = (FieldDetails(node, None),)
    complete = COMPILED.plan(schema, fragments, operation, no_variables, field_type, details)
    if complete is None:
        return None
    key = node.alias.value if node.alias else node.name.value
    values = [argument.value for argument in node.arguments or ()]
    variable = (
        values[0].name.value if len(values) == 1 and isinstance(values[0], VariableNode) else None
    )
    return LoneRootRead(key, field, node, mark[0], variable, mark[1], complete, many)


def _signatures(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> tuple[tuple[str, GraphQLVariableSignature, bool], ...] | None:
    found = []
    for definition in operation.variable_definitions or ():
        signature = get_variable_signature(schema, definition)
        if not isinstance(signature, GraphQLVariableSignature):
            return None
        named = signature.type
        if isinstance(named, GraphQLNonNull):
            named = named.of_type
        found.append((signature.name, signature, isinstance(named, GraphQLLeafType)))
    return tuple(found)


def coerce_variables(
    schema: GraphQLSchema,
    prepared: PreparedOperation,
    inputs: dict[str, Any],
    hide_suggestions: bool,
) -> VariableValues | list[GraphQLError]:
    """What graphql-core's get_variable_values answers, its usual case without its work.

    When every variable was sent and coerces, the signatures prepared with the document
    serve; anything else (a default to apply, a missing or wrong value) is left to
    get_variable_values, which starts over and reports the errors.
    """
    if prepared.variables is not None:
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for name, signature, scalar in prepared.variables:
            value = inputs.get(name, Undefined)
            if value is Undefined:
                break
            if not scalar and input_is_nested_too_deeply(value, signature.type):
                break
            coerced_value = coerce_input_value(value, signature.type)
            if coerced_value is Undefined:
                break
            sources[name] = VariableValueSource(signature, value)
            coerced[name] = coerced_value
        else:
            return VariableValues(sources, coerced)
    return get_variable_values(
        schema,
        prepared.operation.variable_definitions or (),
        inputs,
        max_errors=MAX_COERCION_ERRORS,
        hide_suggestions=hide_suggestions,
    )


def prepare(
    schema: GraphQLSchema, node: DocumentNode, operation_name: str | None
) -> PreparedOperation | None:
    """None where graphql-core's own build must answer (no such operation, or fragments
    with variables, which have per-request signatures)."""
    operation: OperationDefinitionNode | None = None
    fragment_definitions: dict[str, FragmentDefinitionNode] = {}
    fragments: dict[str, FragmentDetails] = {}
    for definition in node.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if operation_name is None:
                if operation is not None:
                    return None  # several operations and no name: graphql-core's error
                operation = definition
            elif definition.name and definition.name.value == operation_name:
                operation = definition
        elif isinstance(definition, FragmentDefinitionNode):
            if definition.variable_definitions:
                return None
            fragment_definitions[definition.name.value] = definition
            fragments[definition.name.value] = FragmentDetails(definition, None)
    if operation is None:
        return None
    return PreparedOperation(
        operation,
        fragment_definitions,
        fragments,
        _signatures(schema, operation),
        _lone_root_read(schema, operation, fragments),
    )


def execute_document(
    schema: GraphQLSchema,
    document: Document,
    operation_name: str | None,
    context: Any,
    variables: dict[str, Any] | None,
    *,
    hide_suggestions: bool,
    is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]],
) -> ExecutionResult | Awaitable[ExecutionResult]:
    """graphql-core's ``execute`` of a validated, cached document with ``AcyclicExecutor``."""
    assert document.node is not None, "only a valid document runs"
    prepared = document.prepared.get(operation_name)
    if prepared is None:
        prepared = prepare(schema, document.node, operation_name)
        if prepared is not None:  # kept per operation of the document only: a bounded few
            document.prepared[operation_name] = prepared
    if prepared is None:
        return execute(
            schema,
            document.node,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            hide_suggestions=hide_suggestions,
            is_awaitable=is_awaitable,
            executor_class=AcyclicExecutor,
        )
    variable_values = coerce_variables(schema, prepared, variables or {}, hide_suggestions)
    if isinstance(variable_values, list):
        return ExecutionResult(None, errors=variable_values)
    lone = prepared.lone_read
    if lone is not None:
        return _read_alone(
            lone,
            schema,
            prepared,
            context,
            variable_values,
            hide_suggestions,
            is_awaitable,
        )
    return _executor(schema, prepared, context, variable_values, hide_suggestions, is_awaitable)


def _executor(
    schema: GraphQLSchema,
    prepared: PreparedOperation,
    context: Any,
    variable_values: VariableValues,
    hide_suggestions: bool,
    is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]],
) -> ExecutionResult | Awaitable[ExecutionResult]:
    executor = AcyclicExecutor(
        schema,
        prepared.fragment_definitions,
        prepared.fragments,
        None,
        context,
        prepared.operation,
        variable_values,
        default_field_resolver,
        default_type_resolver,
        default_field_resolver,
        is_awaitable=is_awaitable,
        hide_suggestions=hide_suggestions,
    )
    # The plain executor answers one ExecutionResult (never incremental results).
    return executor.execute_operation()  # type: ignore[return-value]


async def _read_alone(
    lone: LoneRootRead,
    schema: GraphQLSchema,
    prepared: PreparedOperation,
    context: Any,
    variable_values: VariableValues,
    hide_suggestions: bool,
    is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]],
) -> ExecutionResult:
    """The lone root read: its value read and completed by the compiled selection.

    Only a value that fits is answered here; anything else (an error, a value the plan
    does not take) runs the whole operation again on graphql-core's executor, where the
    read's memo gives the same outcome without asking upstream again, and the executor
    answers it (errors, paths, nulls) as it always does.
    """
    try:
        # A variable's coerced value is the argument's (graphql-core's coerce_input_literal);
        # a null or a missing one (defaults, errors) is left to get_argument_values.
        argument = variable_values.coerced.get(lone.variable) if lone.variable else None
        if argument is None:
            arguments = get_argument_values(lone.field, lone.node, variable_values)
            argument = arguments[lone.argument]
        value = await lone.read(context, argument)
        if value is None:
            return ExecutionResult({lone.key: None})
        complete = lone.complete
        if not lone.many:
            return ExecutionResult({lone.key: complete(value)})
        if not isinstance(value, (str, bytes, dict)):
            items = [complete(item) if item is not None else not_plain() for item in value]
            return ExecutionResult({lone.key: items})
    except Exception:  # noqa: S110
        pass  # graphql-core's execution below answers it
    result = _executor(schema, prepared, context, variable_values, hide_suggestions, is_awaitable)
    if not isinstance(result, ExecutionResult):
        result = await result
    return result
