"""Order snapshots on the bus carry the whole order; the live-status metrics."""

from __future__ import annotations

from decimal import Decimal

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from gateway.domain.models import Money, Order
from gateway.domain.order_events import OrderStatusSnapshot
from gateway.observability.live_status_metrics import LiveStatusMetrics

ORDER = Order("ord_x", 7, "Shipped", 2, "Paid", Money(Decimal("49.90"), "USD"), 3, "cart-1")


def test_a_snapshot_crosses_the_bus_with_its_order() -> None:
    snapshot = OrderStatusSnapshot(7, 2, "Shipped", 1_800_000_000, 3, ORDER)
    back = OrderStatusSnapshot.from_message(snapshot.to_message())
    assert back == snapshot and back.order == ORDER
    bare = OrderStatusSnapshot(7, 2, "Shipped", 1, 3)
    assert OrderStatusSnapshot.from_message(bare.to_message()).order is None
    assert "order" not in bare.to_message()


@pytest.mark.parametrize("order", [[], {"id": "x"}, {**ORDER.to_dict(), "total": ["NaN?", "USD"]}])
def test_a_malformed_order_on_the_bus_is_a_value_error(order: object) -> None:
    message = {**OrderStatusSnapshot(7, 2, "Shipped", 1, 3).to_message(), "order": order}
    with pytest.raises(ValueError):
        OrderStatusSnapshot.from_message(message)


def test_the_metrics_count_what_the_observers_report() -> None:
    registry = CollectorRegistry()
    metrics = LiveStatusMetrics(registry)
    metrics.subscriptions_changed("websocket", 3)
    metrics.connection_refused("websocket", "auth")
    metrics.callback_received("store/order/statusUpdated")
    metrics.callback_refused("secret")
    metrics.callback_ignored("scope")
    feed = metrics.feed
    feed.hint_received()
    feed.duplicate_dropped("delivery")
    feed.delivered(5)
    feed.order_read_failed("UPSTREAM_UNAVAILABLE")
    feed.subscriptions_changed(3)
    text = generate_latest(registry).decode()
    for line in (
        'gateway_subscriptions_open{transport="websocket"} 3.0',
        'gateway_subscription_refusals_total{reason="auth",transport="websocket"} 1.0',
        'gateway_webhook_callbacks_total{scope="store/order/statusUpdated"} 1.0',
        'gateway_webhook_refusals_total{reason="secret"} 1.0',
        'gateway_webhook_ignored_total{reason="scope"} 1.0',
        "gateway_order_events_received_total 1.0",
        'gateway_order_events_dropped_total{reason="delivery"} 1.0',
        "gateway_order_event_deliveries_total 5.0",
        'gateway_order_event_read_failures_total{code="UPSTREAM_UNAVAILABLE"} 1.0',
    ):
        assert line in text, line
