"""A quicker ``__init__`` for the frozen, slotted dataclasses the models are.

Why: a frozen dataclass's own ``__init__`` sets each field with ``object.__setattr__``
(a frozen class refuses ``self.x = ...``), a generic attribute lookup per field. Every
upstream answer becomes a few dozen model fields (a checkout with one line and one
consignment: about 80), and that init was a third of the parsing. Setting each slot
through its own descriptor does the same thing in half the time.

``slot_init`` replaces only ``__init__``, with one of the same signature (fields in
order, their defaults and default factories). The class stays the dataclass it was:
frozen (assigning raises ``FrozenInstanceError``), equality, hash, repr, ``replace``.
"""

from __future__ import annotations

import dataclasses
from types import MemberDescriptorType
from typing import Any, TypeVar

T = TypeVar("T")
_FACTORY = object()  # a field with a default factory was not passed


def slot_init(cls: type[T]) -> type[T]:
    """``cls`` (a frozen, slotted dataclass) with an ``__init__`` that sets slots directly."""
    params = dataclasses.fields(cls)  # type: ignore[arg-type]
    declared = cls.__dataclass_fields__  # type: ignore[attr-defined]
    if len(params) != len(declared) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: InitVar, ClassVar or __post_init__ not supported")
    names: dict[str, Any] = {"_FACTORY": _FACTORY}
    signature: list[str] = []
    body: list[str] = []
    for f in params:
        slot = cls.__dict__.get(f.name)
        if not f.init or f.kw_only or not isinstance(slot, MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{f.name}: not a positional slot field")
        names[f"_set_{f.name}"] = slot.__set__
        if f.default is not dataclasses.MISSING:
            names[f"_default_{f.name}"] = f.default
            signature.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            names[f"_factory_{f.name}"] = f.default_factory
            signature.append(f"{f.name}=_FACTORY")
            body.append(f"    if {f.name} is _FACTORY:\n        {f.name} = _factory_{f.name}()")
        else:
            signature.append(f.name)
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(signature)}):\n" + "\n".join(body or ["    pass"])
    exec(source, names)  # noqa: S102 - our own text, from the class's field names only
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses assigning a method
    return cls
