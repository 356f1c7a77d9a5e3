"""A gateway of our own for these tests: a fresh metrics registry and an in-memory span exporter.

Built on ``tests/live_gateway.py``, so this directory also runs alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from gateway.bootstrap import create_app
from gateway.observability import Observability
from gateway.sandbox import SandboxServer
from tests import live_gateway
from tests.graphql_ops import Operations

live = live_gateway


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
