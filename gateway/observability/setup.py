"""The observability parts of one app: metrics registry, tracer, and the adapter's observer."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager

from opentelemetry.trace import Tracer, TracerProvider
from prometheus_client import CollectorRegistry

from gateway.observability import request_facts
from gateway.observability.live_status_metrics import LiveStatusMetrics
from gateway.observability.metrics import GatewayMetrics, MetricsObserver
from gateway.observability.tracing import UpstreamTracing, provider_from_env


class Observability:
    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self.metrics = GatewayMetrics(registry)
        self.tracer_provider = tracer_provider or provider_from_env()
        self.tracer: Tracer = self.tracer_provider.get_tracer("checkout-gateway")
        self.observer = GatewayObserver(self.metrics, self.tracer)
        self.live_status = LiveStatusMetrics(self.metrics.registry)


class GatewayObserver(MetricsObserver):
    """Metrics, spans and the per-request call count for every upstream attempt."""

    def __init__(self, metrics: GatewayMetrics, tracer: Tracer) -> None:
        super().__init__(metrics)
        self._tracing = UpstreamTracing(tracer)

    def attempt(
        self, endpoint: str, method: str, headers: Mapping[str, str]
    ) -> AbstractContextManager[Mapping[str, str]]:
        return self._tracing.attempt(endpoint, method, headers)

    def call_finished(self, endpoint: str, status: str, seconds: float) -> None:
        super().call_finished(endpoint, status, seconds)
        request_facts.count_upstream_call()
        self._tracing.finished(status)
