"""Resolvers that only read an attribute, marked so the executor can compile them.

The schema installs them (``plain_reader``); the compiled selections read the mark
(``plain_attribute``) to build an answer without calling a resolver per field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def plain_reader(attribute: str) -> Callable[..., Any]:
    def read(source: Any, _info: Any) -> Any:
        return getattr(source, attribute)

    read.plain_attribute = attribute  # type: ignore[attr-defined]
    return read


def plain_attribute(resolve: Any) -> str | None:
    """The attribute a plain field reads, or None for a field with a resolver of its own."""
    return getattr(resolve, "plain_attribute", None)
