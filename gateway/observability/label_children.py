"""Label children of Prometheus metrics, looked up once and kept (``labels()`` takes a lock)."""

from __future__ import annotations

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
