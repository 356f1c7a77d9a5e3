"""What every resolver can reach: the domain flows and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import strawberry

from gateway.domain.cart_editing import CartEditingFlows
from gateway.domain.checkout import CheckoutFlows
from gateway.domain.orders import OrderFlows
from gateway.domain.payments import PaymentFlows
from gateway.schema.loaders import Loaders
from gateway.schema.order_loaders import OrderLoaders


@dataclass
class Context:
    checkout: CheckoutFlows
    payments: PaymentFlows
    editing: CartEditingFlows
    orders: OrderFlows
    client_key: str | None = None
    # Per-request facts the transport reads back (operation name, outcome, upstream calls).
    facts: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def loaders(self) -> Loaders:
        # Made on first use, once per request: most requests never read an entity.
        return Loaders(self.checkout)

    @cached_property
    def order_loaders(self) -> OrderLoaders:
        return OrderLoaders(self.orders)


Info = strawberry.Info[Context, None]
