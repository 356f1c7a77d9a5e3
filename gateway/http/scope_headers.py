"""Request headers read straight from the ASGI scope, without building Starlette's ``Headers``.

A ``Headers`` lookup goes through ``Mapping.get`` and lower-cases every name it passes;
on the ``POST /graphql`` path that was about 3% of a checkout read's CPU. ASGI servers
give names lower-cased already, so one pass over the raw pairs is enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def first_header(scope: Mapping[str, Any], name: bytes) -> str | None:
    """The first value of header ``name`` (lower-case bytes), as ``Headers.get`` answers it."""
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None
