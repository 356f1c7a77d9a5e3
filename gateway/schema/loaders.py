"""Per-request DataLoaders behind the federation entities (``_entities``) and root reads.

A router sends many representations of one type in one ``_entities`` call. BigCommerce
has no batch read for what we use (``GET /v2/orders/{id}`` and ``GET /v3/checkouts/{id}``
take one id each; the v2 order list filters by dates and status, not by ids), so a batch
here is: the distinct keys of the request, each fetched once, all concurrently. N
representations cost one upstream round trip of wall time and one call per distinct key.

Each key succeeds or fails alone: a forged order id or an unknown checkout becomes the
exception of its own key, so only its entity is null (with its own error). Loaders live
for one request (they cache), so nothing is shared between clients.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from gateway.domain.checkout import CheckoutFlows
from gateway.domain.identity import ShopperIdentity
from gateway.domain.models import Checkout, Order

T = TypeVar("T")


def _each_alone(
    fetch: Callable[[str], Awaitable[T]],
) -> Callable[[list[str]], Awaitable[Sequence[T | BaseException]]]:
    async def load(keys: list[str]) -> Sequence[T | BaseException]:
        # The DataLoader hands over distinct keys (its cache de-duplicates them).
        if len(keys) == 1:
            # A root read's usual batch: awaited here, without a task for gather to run.
            try:
                return [await fetch(keys[0])]
            except Exception as exc:  # the key's own failure, as gather would give it
                return [exc]
        return await asyncio.gather(*(fetch(key) for key in keys), return_exceptions=True)

    return load


class Loaders:
    """The request's entity loaders; keys are the ids clients see (opaque order ids).

    Every read goes through the domain's reachability rule with the request's shopper:
    someone else's checkout or order is NOT_FOUND, for root fields and ``_entities`` alike.
    """

    def __init__(self, checkout: CheckoutFlows, shopper: ShopperIdentity | None = None) -> None:
        async def order(order_id: str) -> Order:
            return await checkout.get_order(order_id, shopper)

        async def checkout_of(checkout_id: str) -> Checkout:
            return await checkout.get_checkout(checkout_id, shopper)

        self.orders: DataLoader[str, Order] = DataLoader(_each_alone(order))
        self.checkouts: DataLoader[str, Checkout] = DataLoader(_each_alone(checkout_of))
