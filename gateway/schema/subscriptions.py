"""``Subscription.orderStatusChanged``: an order's status now, then each change (CONTRACT §1b).

It answers the same ``Order`` type as the ``order`` query, built from the order the feed
read (``OrderStatusSnapshot.order``), so a client's normalized cache holds one object per
order whichever way it was read, and every field of it is readable from the event alone:
the transports share one execution of an event between all its subscribers
(``SubscriptionOperations(shared_results=True)``).

Failures to start (a tampered id, another customer's order, the store unreachable) are
GraphQL errors with the contract's code, as for queries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import cast

import strawberry

from gateway.domain.live_orders import LiveOrders
from gateway.schema.context import Context
from gateway.schema.query_errors import answer
from gateway.schema.types import Order


@dataclass
class SubscriptionContext(Context):
    """The context of one subscription: the query context (``shopper``: verified at
    ``connection_init`` or from the header) and the live orders."""

    live_orders: LiveOrders | None = None


SubscriptionInfo = strawberry.Info[SubscriptionContext, None]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The order's current status first, then one event per change. A "
        "customer's order needs that customer's token (else NOT_FOUND, as an unknown id)."
    )
    async def order_status_changed(
        self, info: SubscriptionInfo, order_id: strawberry.ID
    ) -> AsyncIterator[Order]:
        context = info.context
        if context.live_orders is None:  # pragma: no cover - every transport sets it
            raise RuntimeError("subscriptions need a SubscriptionContext with live_orders")
        watch = await answer(context.live_orders.watch(str(order_id), context.shopper))

        async def orders() -> AsyncIterator[Order]:
            # The watch itself, not ``statuses(watch)``: one generator frame less for each
            # of thousands of open subscriptions.
            try:
                async for snapshot in watch:
                    if snapshot.order is not None:  # our reader always reads the whole order
                        yield cast(Order, snapshot.order)
            finally:
                watch.close()

        return orders()
