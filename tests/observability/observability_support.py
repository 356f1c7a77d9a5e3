"""A gateway of our own for these tests: a fresh metrics registry and an in-memory span exporter.

The live-gateway helpers of ``tests/gateway`` are loaded under their own module
names, so this directory also runs alone.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from gateway.observability import Observability
from gateway.sandbox import SandboxServer
from gateway.transport.app import create_app

from graphql_ops import Operations

_GATEWAY_TESTS = Path(__file__).resolve().parent.parent / "gateway"


def _load(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


live = _load("observability_live_helpers", _GATEWAY_TESTS / "conftest.py")
flow = _load("observability_flow", _GATEWAY_TESTS / "flow.py")


@dataclass
class ObservedGateway:
    gateway: Any  # LiveGateway
    spans: InMemorySpanExporter

    async def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Every sample of /metrics, keyed by name and sorted labels."""
        async with self.gateway.http.get(f"{self.gateway.url}/metrics") as resp:
            assert resp.status == 200
            text = await resp.text()
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }


@asynccontextmanager
async def observed_gateway(sandbox: SandboxServer, **env: str) -> AsyncIterator[ObservedGateway]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    observability = Observability(registry=CollectorRegistry(), tracer_provider=provider)
    app = create_app(live.gateway_settings(sandbox, **env), observability)
    server, task, url = await live.serve(app)
    try:
        async with aiohttp.ClientSession() as http:
            yield ObservedGateway(
                live.LiveGateway(url, http, sandbox, Operations.load(), app), exporter
            )
    finally:
        await live.stop(server, task)
        provider.shutdown()


def sample(metrics: dict[Any, float], name: str, **labels: str) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)
