"""The live-gateway helpers of ``tests/gateway`` (its conftest and flow driver), for other folders.

``tests/gateway/conftest.py`` and ``flow.py`` are loaded under their own module names, so the
folders that need a real gateway over the sandbox (federation, GraphiQL) reuse them as they are.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_GATEWAY_TESTS = Path(__file__).resolve().parent / "gateway"


def _load(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_helpers = _load("gateway_tests_live", _GATEWAY_TESTS / "conftest.py")
flow = _load("gateway_tests_flow", _GATEWAY_TESTS / "flow.py")

LiveGateway = _helpers.LiveGateway
gateway_settings = _helpers.gateway_settings
serve = _helpers.serve
stop = _helpers.stop

__all__ = ["LiveGateway", "flow", "gateway_settings", "serve", "stop"]
