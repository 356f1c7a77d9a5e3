"""Per-request reads behind the federation entities (``_entities``) and root reads.

A router sends many representations of one type in one ``_entities`` call, and a
client may read one checkout under two aliases. BigCommerce has no batch read for
what we use (``GET /v2/orders/{id}`` and ``GET /v3/checkouts/{id}`` take one id
each; the v2 order list filters by dates and status, not by ids), so each distinct
key of a request is fetched once and its outcome shared by every read of it. The
executor awaits a list's items (and a query's root fields) concurrently, so N
representations still cost one upstream round trip of wall time.

Each key succeeds or fails alone: a forged order id or an unknown checkout becomes the
exception of its own key, so only its entity is null (with its own error). The memos
live for one request, so nothing is shared between clients.

A memo, not Strawberry's DataLoader: without a batch endpoint the loader's batching
bought nothing, and its dispatch (a task and a loop turn per batch, a future per key)
was most of the cost of a root read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from gateway.domain.checkout import CheckoutFlows
from gateway.domain.identity import ShopperIdentity
from gateway.domain.models import Checkout, Order

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class OncePerKey(Generic[K, T]):
    """Reads each key once; every later read of the key shares the first one's outcome."""

    __slots__ = ("_fetch", "_reads")

    def __init__(self, fetch: Callable[[K], Awaitable[T]]) -> None:
        self._fetch = fetch
        self._reads: dict[K, asyncio.Future[T]] = {}

    def load(self, key: K) -> Awaitable[T]:
        shared = self._reads.get(key)
        if shared is not None:
            return shared  # in flight or done: its value, or its exception raised again
        outcome: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._reads[key] = outcome
        return self._first(key, outcome)

    async def _first(self, key: K, outcome: asyncio.Future[T]) -> T:
        # The first reader fetches in its own task (no task of its own made for it).
        try:
            value = await self._fetch(key)
        except Exception as exc:
            outcome.set_exception(exc)
            outcome.exception()  # this reader raises it: not an "exception never retrieved"
            raise
        except BaseException:  # cancelled: the readers sharing it are told, a later read retries
            outcome.cancel()
            del self._reads[key]
            raise
        outcome.set_result(value)
        return value


class Loaders:
    """The request's entity reads; keys are the ids clients see (opaque order ids).

    Every read goes through the domain's reachability rule with the request's shopper:
    someone else's checkout or order is NOT_FOUND, for root fields and ``_entities`` alike.
    """

    __slots__ = ("checkouts", "orders")

    def __init__(self, checkout: CheckoutFlows, shopper: ShopperIdentity | None = None) -> None:
        def order(order_id: str) -> Awaitable[Order]:
            return checkout.get_order(order_id, shopper)

        def checkout_of(checkout_id: str) -> Awaitable[Checkout]:
            return checkout.get_checkout(checkout_id, shopper)

        self.orders: OncePerKey[str, Order] = OncePerKey(order)
        self.checkouts: OncePerKey[str, Checkout] = OncePerKey(checkout_of)
