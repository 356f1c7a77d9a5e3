"""What every resolver can reach: the domain flows and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from gateway.domain.checkout import CheckoutFlows
from gateway.domain.payments import PaymentFlows


@dataclass
class Context:
    checkout: CheckoutFlows
    payments: PaymentFlows
    client_key: str | None = None
    # Per-request facts the transport reads back (operation name, outcome, upstream calls).
    facts: dict[str, Any] = field(default_factory=dict)


Info = strawberry.Info[Context, None]
