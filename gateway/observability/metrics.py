"""Prometheus metrics: requests, upstream calls, retries, rate-limit waits, caches, breakers.

Each app has its own registry (tests start several apps in one process). With
``PROMETHEUS_MULTIPROC_DIR`` set (``serve --workers N``), prometheus-client
keeps the values in files there and ``/metrics`` adds up every worker's.
Label children are looked up once and kept (``LabelChildren``): ``labels()`` takes a lock.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from gateway.observability.label_children import CountedAndTimed, LabelChildren

LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0
)  # fmt: skip
# Operation names come from clients: plain names only, and a bounded number of them.
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_LABELS = 200


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class GatewayMetrics(LabelChildren):
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        super().__init__()
        self.multiprocess = multiprocess_dir() is not None
        self.registry = registry or CollectorRegistry(auto_describe=True)
        if registry is None and not self.multiprocess:
            ProcessCollector(registry=self.registry)  # RSS and CPU of this process
            PlatformCollector(registry=self.registry)
        r = self.registry
        self.requests = Counter(
            "gateway_requests_total",
            "GraphQL requests by operation name and outcome (ok, or the first error code: "
            "a top-level one, else the first in a mutation payload's errors).",
            ["operation", "outcome"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "gateway_request_duration_seconds",
            "Time to answer a GraphQL request.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream_calls = Counter(
            "gateway_upstream_calls_total",
            "Upstream attempts by endpoint and HTTP status (or error/timeout).",
            ["endpoint", "status"],
            registry=r,
        )
        self.upstream_seconds = Histogram(
            "gateway_upstream_duration_seconds",
            "Time of one upstream attempt.",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream_retries = Counter(
            "gateway_upstream_retries_total",
            "Upstream attempts sent again, by endpoint and reason.",
            ["endpoint", "reason"],
            registry=r,
        )
        self.rate_limit_waits = Counter(
            "gateway_upstream_rate_limit_waits_total",
            "Times a call waited for BigCommerce's rate-limit window.",
            ["endpoint"],
            registry=r,
        )
        self.rate_limit_wait_seconds = Counter(
            "gateway_upstream_rate_limit_wait_seconds_total",
            "Seconds spent waiting for BigCommerce's rate-limit window.",
            ["endpoint"],
            registry=r,
        )
        self.connections_opened = Counter(
            "gateway_upstream_connections_opened_total",
            "New TCP connections to BigCommerce (pooled connections are reused).",
            registry=r,
        )
        self.cache_lookups = Counter(
            "gateway_cache_lookups_total",
            "Cache lookups by cache (payment_methods, document) and result (hit, miss).",
            ["cache", "result"],
            registry=r,
        )
        self.idempotent_replays = Counter(
            "gateway_idempotent_replays_total",
            "Mutations answered from the idempotency store instead of running again.",
            registry=r,
        )
        self.payments = Counter(
            "gateway_payments_total",
            "Charges by payment method and outcome (approved, declined, insufficient_funds, "
            "outcome_unknown, or another error code in lower case).",
            ["method", "outcome"],
            registry=r,
        )
        self.breakers_open = Gauge(
            "gateway_circuit_breakers_open",
            "1 while the circuit breaker of a store is open.",
            ["store"],
            registry=r,
            multiprocess_mode="livesum",
        )
        self._operations: set[str] = set()
        self._finished = CountedAndTimed(self, self.requests, self.request_seconds)
        self.upstream_finished = CountedAndTimed(self, self.upstream_calls, self.upstream_seconds)
        self._synced: list[tuple[Callable[[], int], Counter, list[int]]] = []

    def operation_label(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if name in self._operations:
            return name
        if len(self._operations) >= MAX_OPERATION_LABELS or not _OPERATION_NAME.fullmatch(name):
            return "other"
        self._operations.add(name)
        return name

    def request_finished(self, operation: str | None, outcome: str, seconds: float) -> None:
        # The label is bounded, and so are outcomes (codes).
        self._finished.record(self.operation_label(operation), outcome, seconds)
        if self.multiprocess:  # another worker's /metrics reads this one's files
            self.sync_counts()

    # In-process counters kept by the document cache, mirrored when /metrics is read
    # (``exposition``) and, with workers, after each request.
    def mirror(self, read: Callable[[], int], counter: Counter) -> None:
        self._synced.append((read, counter, [read()]))

    def sync_counts(self) -> None:
        for read, counter, last in self._synced:
            now = read()
            if now != last[0]:
                if now > last[0]:
                    counter.inc(now - last[0])
                last[0] = now

    def exposition(self) -> tuple[bytes, str]:
        self.sync_counts()
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsObserver:
    """The adapter's observer hooks (gateway.bigcommerce.observer) and the domain's, as metrics."""

    def __init__(self, metrics: GatewayMetrics) -> None:
        self._m = metrics

    def call_finished(self, endpoint: str, status: str, seconds: float) -> None:
        self._m.upstream_finished.record(endpoint, status, seconds)

    def retried(self, endpoint: str, reason: str) -> None:
        self._m._child(self._m.upstream_retries, endpoint, reason).inc()

    def rate_limit_waited(self, endpoint: str, seconds: float) -> None:
        self._m._child(self._m.rate_limit_waits, endpoint).inc()
        self._m._child(self._m.rate_limit_wait_seconds, endpoint).inc(seconds)

    def breaker_changed(self, store: str, is_open: bool) -> None:
        self._m._child(self._m.breakers_open, store).set(1 if is_open else 0)

    def connection_opened(self) -> None:
        self._m.connections_opened.inc()

    # The domain's observer port (gateway.domain.ports.Observer).
    def cache_lookup(self, cache: str, hit: bool) -> None:
        self._m._child(self._m.cache_lookups, cache, "hit" if hit else "miss").inc()

    def idempotent_replay(self) -> None:
        self._m.idempotent_replays.inc()

    def payment_finished(self, method: str, outcome: str) -> None:
        self._m._child(self._m.payments, method, outcome).inc()
