"""A shopper's live view of one order: the opaque id decoded, reachability checked once.

Why here and not in the resolver: the reachability rule is the one queries follow
(CONTRACT §1a): a customer's order is reachable only with that customer's token, and for
anyone else it is ``NOT_FOUND`` exactly as an unknown id. It is judged on the first read
(the feed's ``watch``); an order never changes owner, so later events need no check.
"""

from __future__ import annotations

from gateway.domain.identity import ShopperIdentity, is_reachable, not_found
from gateway.domain.order_events import OrderStatusFeed, StatusWatch
from gateway.domain.order_ids import OrderIdCodec


class LiveOrders:
    def __init__(self, feed: OrderStatusFeed, codec: OrderIdCodec) -> None:
        self.feed = feed
        self._codec = codec

    async def watch(self, order_id: str, shopper: ShopperIdentity | None) -> StatusWatch:
        """The order's statuses, the current one first; ``GatewayError`` if it cannot start."""
        number = self._codec.decode(order_id, ["orderId"])
        watch = await self.feed.watch(number)
        current = watch.current
        if current is None or not is_reachable(current.customer_id, shopper):
            watch.close()  # nothing of the order is told, not even that it exists
            raise not_found(["orderId"])
        return watch
