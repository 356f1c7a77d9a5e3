"""Label children of Prometheus metrics, looked up once and kept (``labels()`` takes a lock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class LabelChildren:
    """Base of a set of metrics: ``_child(metric, *labels)`` is a cached ``metric.labels(...)``."""

    def __init__(self) -> None:
        self._children: dict[tuple[Any, ...], Any] = {}

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child


class CountedAndTimed:
    """A counter labelled (name, outcome) and a histogram labelled (name,), moved together
    once per event; each pair's bound ``inc`` and ``observe`` kept (a request makes two
    such events, and looking the children up each time was a measurable share of it)."""

    def __init__(self, children: LabelChildren, counter: Any, histogram: Any) -> None:
        self._children = children
        self._counter = counter
        self._histogram = histogram
        self._bound: dict[tuple[str, str], tuple[Callable[[], None], Callable[[float], None]]]
        self._bound = {}

    def record(self, name: str, outcome: str, seconds: float) -> None:
        bound = self._bound.get((name, outcome))
        if bound is None:
            child = self._children._child
            bound = self._bound[name, outcome] = (
                child(self._counter, name, outcome).inc,
                child(self._histogram, name).observe,
            )
        count, observe = bound
        count()
        observe(seconds)
