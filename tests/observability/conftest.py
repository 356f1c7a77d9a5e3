"""The shared live gateway of tests/gateway, for tests here that need no gateway of their own."""

from __future__ import annotations

from observability_support import live

live_gateway = live.live_gateway
gateway = live.gateway
