"""What every resolver can reach: the domain flows and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import strawberry

from gateway.domain.checkout import CheckoutFlows
from gateway.domain.payments import PaymentFlows
from gateway.schema.loaders import Loaders


@dataclass
class Context:
    checkout: CheckoutFlows
    payments: PaymentFlows
    client_key: str | None = None
    # Per-request facts the transport reads back (operation name, outcome, upstream calls).
    facts: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def loaders(self) -> Loaders:
        # Made on first use, once per request: most requests never read an entity.
        return Loaders(self.checkout)


Info = strawberry.Info[Context, None]
