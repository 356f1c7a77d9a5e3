"""The checkout flow's GraphQL documents: the project's copy, and the contract's when present.

``../shared/operations`` is the contract others build on; it is there for the developers
and CI, not for users. Tests that need it skip when it is absent, except in CI.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests import needs

ROOT = Path(__file__).resolve().parent.parent
OWN = ROOT / "gateway" / "operations"
SHARED = ROOT.parent / "shared"


def shared_dir(*parts: str) -> Path:
    """A path under ../shared, or a skip (a failure in CI) when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        needs.unavailable(f"{path} is not on this machine (the contract documents live beside it)")
    return path


@dataclass(frozen=True)
class Operations:
    document: str
    names: tuple[str, ...]
    variables: dict[str, Any]

    @classmethod
    def load(cls, directory: Path = OWN) -> Operations:
        document = (directory / "checkout-flow.graphql").read_text()
        names = tuple(re.findall(r"^(?:query|mutation)\s+(\w+)", document, re.MULTILINE))
        variables = json.loads((directory / "variables.json").read_text())
        return cls(document, names, variables)


def strip_comments(document: str) -> str:
    return "\n".join(
        line for line in document.splitlines() if line.strip() and not line.startswith("#")
    )
