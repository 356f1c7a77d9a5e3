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


# A root field's read: (its one argument's name, read(context, argument value)).
ContextRead = tuple[str, Callable[[Any, Any], Any]]


def context_reader(
    argument: str, read: Callable[[Any, Any], Any], *, repeatable: bool
) -> Callable[..., Any]:
    """A resolver that calls ``read(info.context, <argument>)``; ``context_field`` for
    a field without arguments.

    A ``repeatable`` read gives the same outcome when called again in its request
    without asking upstream again (a per-request memo); it is marked, and the executor
    may run it as a query's lone root field without building its resolve info, and
    run the operation again the ordinary way when the answer does not fit.
    """

    def resolve(_source: Any, info: Any, **arguments: Any) -> Any:
        return read(info.context, arguments[argument])

    if repeatable:
        resolve.context_read = (argument, read)  # type: ignore[attr-defined]
    return resolve


def context_field(read: Callable[[Any], Any]) -> Callable[..., Any]:
    """A resolver of a field without arguments that calls ``read(info.context)``."""

    def resolve(_source: Any, info: Any) -> Any:
        return read(info.context)

    return resolve


def context_read(resolve: Any) -> ContextRead | None:
    """The mark of ``context_reader``, or None for any other resolver."""
    return getattr(resolve, "context_read", None)
