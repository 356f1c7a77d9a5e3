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
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from graphql.type.definition import GraphQLResolveInfoHelpers

from gateway.graphql.compiled_selections import CompiledSelections, NotPlain

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
