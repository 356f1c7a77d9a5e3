"""Where tests keep what the gateway wrote (logs, subprocess output) for the final card-data audit.

Every file under ``tests/artifacts/`` is read by ``tests/audit/test_no_card_data.py``
after the rest of the suite. A test that starts a gateway subprocess sends its output
here: ``subprocess.Popen(..., stdout=artifact_stream("name"), stderr=subprocess.STDOUT)``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def artifact_path(name: str) -> Path:
    """A file under tests/artifacts (the directory is made; the name is made path-safe)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / re.sub(r"[^\w.\-]", "_", name)


def artifact_stream(name: str) -> BinaryIO:
    """An open binary file to hand a subprocess as stdout/stderr (appended, never truncated)."""
    return artifact_path(name).open("ab")


def clear_artifacts() -> None:
    """Remove what an earlier run left (called once, as the session starts)."""
    if ARTIFACTS.exists():
        for path in sorted(ARTIFACTS.rglob("*"), reverse=True):
            if path.is_file() or path.is_symlink():
                path.unlink()
            elif path.is_dir():
                path.rmdir()
