"""Mirrored in-process counts show on /metrics whether or not a request ran since."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from gateway.observability.metrics import GatewayMetrics


def _lookups(metrics: GatewayMetrics) -> dict[str, float]:
    body, _content_type = metrics.exposition()
    return {
        sample.labels["result"]: sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
        if sample.name == "gateway_cache_lookups_total"
    }


def test_mirrored_counts_are_current_when_read() -> None:
    metrics = GatewayMetrics(CollectorRegistry())
    hits = [3]
    metrics.mirror(lambda: hits[0], metrics.cache_lookups.labels("document", "hit"))
    hits[0] = 7
    assert _lookups(metrics)["hit"] == 4  # counted since the mirror started, no request yet
    metrics.request_finished("Checkout", "ok", 0.002)
    hits[0] = 9
    assert _lookups(metrics)["hit"] == 6
    assert _lookups(metrics)["hit"] == 6  # reading twice counts nothing twice
