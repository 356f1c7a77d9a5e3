"""Metrics of live order status: open subscriptions, webhook callbacks, events and deliveries.

``LiveStatusMetrics`` implements the receiver's ``WebhookObserver`` and the transports'
``SubscriptionObserver``; its ``feed`` the feed's ``FeedObserver`` (whose
``subscriptions_changed`` takes other arguments). They are Protocols, so nothing here
imports them. No label carries an order number or a token.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from gateway.observability.label_children import LabelChildren


class LiveStatusMetrics(LabelChildren):
    def __init__(self, registry: CollectorRegistry) -> None:
        super().__init__()
        r = registry
        self.open_subscriptions = Gauge(
            "gateway_subscriptions_open",
            "Subscriptions running now, by transport (websocket, multipart).",
            ["transport"],
            registry=r,
            multiprocess_mode="livesum",
        )
        self.refused_connections = Counter(
            "gateway_subscription_refusals_total",
            "Subscription connections refused, by transport and reason.",
            ["transport", "reason"],
            registry=r,
        )
        self.callbacks = Counter(
            "gateway_webhook_callbacks_total",
            "Order webhook callbacks accepted (secret, size and shape right), by scope.",
            ["scope"],
            registry=r,
        )
        self.refusals = Counter(
            "gateway_webhook_refusals_total",
            "Webhook callbacks refused, by reason (secret, too_large, malformed, overloaded).",
            ["reason"],
            registry=r,
        )
        self.ignored = Counter(
            "gateway_webhook_ignored_total",
            "Webhook callbacks answered 200 and ignored, by reason (scope, store).",
            ["reason"],
            registry=r,
        )
        self.events = Counter(
            "gateway_order_events_received_total",
            "Hints that an order may have changed (webhooks handled by this replica).",
            registry=r,
        )
        self.duplicates = Counter(
            "gateway_order_events_dropped_total",
            "Deliveries or reads that told nothing new, by reason "
            "(delivery, duplicate, out_of_order).",
            ["reason"],
            registry=r,
        )
        self.deliveries = Counter(
            "gateway_order_event_deliveries_total",
            "Status changes handed to subscribers (one per subscriber).",
            registry=r,
        )
        self.read_failures = Counter(
            "gateway_order_event_read_failures_total",
            "Order reads after a hint that failed, by error code.",
            ["code"],
            registry=r,
        )
        self.feed = FeedMetrics(self)

    # SubscriptionObserver (the transports)
    def connection_refused(self, transport: str, reason: str) -> None:
        self._child(self.refused_connections, transport, reason).inc()

    def subscriptions_changed(self, transport: str, open_subscriptions: int) -> None:
        self._child(self.open_subscriptions, transport).set(open_subscriptions)

    # WebhookObserver (the receiver)
    def callback_received(self, scope: str) -> None:
        self._child(self.callbacks, scope).inc()

    def callback_refused(self, reason: str) -> None:
        self._child(self.refusals, reason).inc()

    def callback_ignored(self, reason: str) -> None:
        self._child(self.ignored, reason).inc()


class FeedMetrics:
    """The feed's ``FeedObserver``."""

    def __init__(self, metrics: LiveStatusMetrics) -> None:
        self._m = metrics

    def hint_received(self) -> None:
        self._m.events.inc()

    def duplicate_dropped(self, reason: str) -> None:
        self._m._child(self._m.duplicates, reason).inc()

    def delivered(self, subscribers: int) -> None:
        self._m.deliveries.inc(subscribers)

    def order_read_failed(self, code: str) -> None:
        self._m._child(self._m.read_failures, code).inc()

    def subscriptions_changed(self, open_subscriptions: int) -> None:
        pass  # the transports' gauge counts the same subscriptions, by transport
