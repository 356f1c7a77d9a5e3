"""Who owns a checkout or an order, remembered from BigCommerce's own answers.

Why: reachability (``identity.ensure_reachable``) needs a resource's customer id, and
reading the resource again only for it cost each checkout step one more upstream call
(100-300 ms each against BigCommerce). Every cart, checkout and order answer the gateway
already gets names its owner, so the owner is remembered and a later operation, on any
replica when the store is Redis, checks reachability without a read.

Staleness is the risk, hence the rules:
- an owner changes through the gateway only when ``signIn`` adopts a guest cart: that
  entry is rewritten there, in the shared store, so every replica sees the new owner at once;
- an owner could change outside the gateway (the control panel, another app): entries
  expire after ``OWNERSHIP_TTL_S``, and no entry, or a store that fails, means a read;
  every answer that names the owner restarts that time (a store may skip rewriting an
  entry confirmed moments before: it then expires a little early, never late);
- the flows check reachability again on each answer they get, so even a stale entry never
  shows a checkout or an order to anyone it is not theirs.
Only ids are kept (checkout ids hashed in shared keys): never a token or card data.
"""

from __future__ import annotations

import logging

from gateway.domain.models import Cart, Checkout, Order
from gateway.domain.ports import OwnershipStore
from gateway.domain.validation import canonical_checkout_id
from gateway.errors import GatewayError

# Why 10 minutes: long enough for one checkout, step to step (a shopper typing an address
# and choosing shipping), short enough that an owner changed outside the gateway (a
# merchant reassigning a cart or an order) is honoured soon after.
OWNERSHIP_TTL_S = 600.0
log = logging.getLogger("gateway.ownership")


class Owners:
    """Best-effort reads and writes of an ``OwnershipStore``: a failure is a miss, never an
    error, because the answer without the cache is one upstream read away."""

    def __init__(self, store: OwnershipStore) -> None:
        self._store = store

    async def of_checkout(self, checkout_id: str) -> int | None:
        key = canonical_checkout_id(checkout_id)
        if key is None:
            return None
        try:
            return await self._store.checkout_owner(key)
        except GatewayError:
            return None

    async def of_order(self, number: int) -> int | None:
        try:
            return await self._store.order_owner(number)
        except GatewayError:
            return None

    async def saw_checkout(self, checkout: Checkout) -> None:
        await self.checkout_is(checkout.id, checkout.cart.customer_id)

    async def saw_cart(self, cart: Cart) -> None:
        await self.checkout_is(cart.id, cart.customer_id)  # a checkout's id is its cart's

    async def checkout_is(self, checkout_id: str, customer_id: int) -> None:
        key = canonical_checkout_id(checkout_id)
        if key is None:
            return
        try:
            await self._store.remember_checkout(key, customer_id)
        except GatewayError:
            log.warning("checkout owner not remembered: the next step reads it upstream")

    async def saw_order(self, order: Order) -> None:
        try:
            await self._store.remember_order(order.number, order.customer_id)
        except GatewayError:
            log.warning("order owner not remembered: the next step reads it upstream")
