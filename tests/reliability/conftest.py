"""Lets the reliability tests import ``flow`` (the checkout-flow driver of tests/gateway)."""

from __future__ import annotations

import sys
from pathlib import Path

GATEWAY_TESTS = Path(__file__).resolve().parent.parent / "gateway"
if str(GATEWAY_TESTS) not in sys.path:
    sys.path.insert(0, str(GATEWAY_TESTS))
