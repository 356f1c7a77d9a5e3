"""Which hooks the store must have so order changes reach the gateway, made idempotent.

Why policy of its own: ``checkout-gateway webhooks register`` (and ``serve`` in sandbox
mode) may run any number of times, on any replica, and must leave exactly one hook per
order scope pointing at the gateway with the secret header the receiver checks. A hook is
the gateway's when it points at the destination, or carries the secret *header* (an
earlier destination of ours, moved); anything else the API account has is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

ORDER_HOOK_SCOPES = ("store/order/statusUpdated", "store/order/created")
SECRET_HEADER = "X-Webhook-Secret"  # noqa: S105 - a header name, not a secret


@dataclass(frozen=True, slots=True)
class Hook:
    id: int
    scope: str
    destination: str
    is_active: bool
    headers: dict[str, str] = field(default_factory=dict, repr=False)  # may hold the secret

    @property
    def header_names(self) -> list[str]:
        return sorted(self.headers)


class HookRegistry(Protocol):
    """The store's webhooks (BigCommerce ``/v3/hooks``; the adapter implements it)."""

    async def list_hooks(self) -> list[Hook]: ...

    async def create_hook(self, scope: str, destination: str, headers: dict[str, str]) -> Hook: ...

    async def update_hook(self, hook_id: int, destination: str, headers: dict[str, str]) -> Hook:
        """Points the hook at ``destination`` with ``headers``, and makes it active."""
        ...


@dataclass(frozen=True, slots=True)
class Registered:
    action: str  # "created", "updated" or "unchanged"
    hook: Hook


async def register_order_hooks(
    registry: HookRegistry, destination: str, secret: str
) -> list[Registered]:
    """One active hook per order scope at ``destination`` with the secret header."""
    headers = {SECRET_HEADER: secret}
    hooks = await registry.list_hooks()
    done: list[Registered] = []
    for scope in ORDER_HOOK_SCOPES:
        mine = [h for h in hooks if h.scope == scope and _is_ours(h, destination)]
        # Prefer the one already at the destination: BigCommerce allows one per
        # scope and destination, so moving another there would be refused.
        mine.sort(key=lambda h: (h.destination != destination, h.id))
        if not mine:
            created = await registry.create_hook(scope, destination, headers)
            done.append(Registered("created", created))
            continue
        hook = mine[0]
        if hook.destination == destination and hook.is_active and hook.headers == headers:
            done.append(Registered("unchanged", hook))
        else:
            done.append(
                Registered("updated", await registry.update_hook(hook.id, destination, headers))
            )
    return done


def _is_ours(hook: Hook, destination: str) -> bool:
    names = {name.lower() for name in hook.headers}
    return hook.destination == destination or SECRET_HEADER.lower() in names
