"""graphql-core's executor without its reference cycle.

The executor keeps ``GraphQLResolveInfoHelpers`` built from two of its own bound
methods, so every finished request (executor, its sub-field caches, the
answer's domain objects: ~300 objects) is a cycle that only the cyclic garbage
collector frees. With many requests in flight they live long enough to reach the
oldest generation, and full collections were a fifth of a checkout query's CPU.
Holding the executor weakly in those helpers lets reference counting free it.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql.execution.incremental.incremental_executor import IncrementalExecutor
from graphql.type.definition import GraphQLResolveInfoHelpers


class AcyclicExecutor(IncrementalExecutor):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        executor = weakref.ref(self)

        # Resolvers only call these while the execution (and so the executor) runs.
        def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
            return _alive(executor).gather_async_work(values)

        def track(values: Sequence[Any]) -> None:
            _alive(executor).track_async_work(values)

        self.async_helpers = GraphQLResolveInfoHelpers(gather=gather, track=track)


def _alive(ref: weakref.ref[AcyclicExecutor]) -> AcyclicExecutor:
    executor = ref()
    if executor is None:  # pragma: no cover - the helpers outlived their execution
        raise RuntimeError("the GraphQL execution has finished")
    return executor
