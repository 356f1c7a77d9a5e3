"""What some tests need from the machine, and what happens when it is missing.

A missing system package (Chromium, redis-server, Node, valgrind) or contract document skips the
test with a message naming it; under CI (``CI=true``, set by ``.ci/run``, which installs
them) the same absence is a failure, so a green CI run never hides a skipped test.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from typing import NoReturn

import pytest

# Nothing phones home: no background networking, updates, sync or QUIC.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-first-run",
    "--no-pings",
    "--disable-quic",
]


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must provide it (.ci/run installs the system packages)")
    pytest.skip(reason)


def chromium() -> str:
    """The system Chromium's path (Playwright importable), or skip/fail naming what is missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("playwright (pip install -e '.[test]')")
    if path is None:
        missing.append("chromium (apt-get install chromium)")
    if missing or path is None:
        unavailable("missing: " + ", ".join(missing))
    return path


def valgrind() -> str:
    path = shutil.which("valgrind")
    if path is None:
        unavailable("valgrind is not installed (apt-get install valgrind)")
    return path


def redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        unavailable("redis-server is not installed (apt-get install redis-server)")
    return path
