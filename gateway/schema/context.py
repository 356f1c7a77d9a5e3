"""What every resolver can reach: the domain flows and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import strawberry

from gateway.domain.cart_editing import CartEditingFlows
from gateway.domain.checkout import CheckoutFlows
from gateway.domain.identity import ShopperIdentity
from gateway.domain.orders import OrderFlows
from gateway.domain.payments import PaymentFlows
from gateway.domain.shoppers import ShopperFlows
from gateway.schema.loaders import Loaders
from gateway.schema.order_loaders import OrderLoaders


@dataclass
class Context:
    checkout: CheckoutFlows
    payments: PaymentFlows
    editing: CartEditingFlows
    orders: OrderFlows
    shoppers: ShopperFlows | None = None
    client_key: str | None = None
    # The verified shopper of the request's X-Shopper-Token (None: a guest); signIn sets it
    # for the rest of its own request.
    shopper: ShopperIdentity | None = None
    # The ASGI client host: the per-address sign-in limit counts it. Behind a proxy it is
    # the proxy's address unless FORWARDED_ALLOW_IPS names the proxy (then `serve` lets
    # uvicorn read its X-Forwarded-For); the header is never read here.
    client_address: str = ""
    # Headers the answer carries (signIn's X-Shopper-Token).
    response_headers: dict[str, str] = field(default_factory=dict)
    # Per-request facts the transport reads back (operation name, outcome, upstream calls).
    facts: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def loaders(self) -> Loaders:
        # Made on first use, once per request: most requests never read an entity.
        return Loaders(self.checkout, self.shopper)

    @cached_property
    def order_loaders(self) -> OrderLoaders:
        return OrderLoaders(self.orders)

    def shopper_flows(self) -> ShopperFlows:
        """The shopper flows, which the runtime always wires (optional only for tests)."""
        assert self.shoppers is not None, "the runtime wires ShopperFlows"
        return self.shoppers


Info = strawberry.Info[Context, None]
