"""The executor the endpoint runs: graphql-core's plain one, which has no incremental delivery."""

from __future__ import annotations

from graphql.execution import Executor

from gateway.graphql.executor import AcyclicExecutor
from gateway.schema import build_schema


def test_the_served_schema_has_nothing_for_incremental_delivery() -> None:
    # The plain executor ignores @defer and @stream: the schema must not offer them, so no
    # validated document can carry them (graphql-core's execute refuses such schemas too).
    schema = build_schema()._schema
    assert schema.get_directive("defer") is None and schema.get_directive("stream") is None
    assert issubclass(AcyclicExecutor, Executor)
