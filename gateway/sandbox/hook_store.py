"""The store's webhooks (``/v3/hooks``): plain records, owned per API account.

BigCommerce shows a hook only to the API account (``client_id``) that created it
(webhooks/overview.mdx, "Unable to view your webhook"), and allows one hook per
client, scope and destination, and at most 10 per client and scope ("Platform limits").
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

FIRST_HOOK_ID = 22561593  # the file's example id; any positive integer would do
MAX_PER_SCOPE = 10


def client_id_of(token: str) -> str:
    """A stable, BigCommerce-looking client id for an access token (31 lowercase chars)."""
    return hashlib.sha256(f"sandbox-client:{token}".encode()).hexdigest()[:31]


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def matches(hook_scope: str, event_scope: str) -> bool:
    """``store/order/*`` covers ``store/order/created`` and the other order events."""
    if hook_scope.endswith("/*"):
        return event_scope.startswith(hook_scope[:-1])
    return hook_scope == event_scope


@dataclass
class Hook:
    id: int
    client_id: str
    scope: str
    destination: str
    headers: dict[str, str] | None
    is_active: bool
    created_at: int
    updated_at: int


class HookStore:
    def __init__(self) -> None:
        self._hooks: dict[int, Hook] = {}
        self._next_id = FIRST_HOOK_ID

    def of_client(self, client_id: str) -> list[Hook]:
        return [h for h in self._hooks.values() if h.client_id == client_id]

    def get(self, client_id: str, hook_id: int) -> Hook | None:
        hook = self._hooks.get(hook_id)
        return hook if hook is not None and hook.client_id == client_id else None

    def by_id(self, hook_id: int) -> Hook | None:
        return self._hooks.get(hook_id)

    def active_for(self, event_scope: str) -> list[Hook]:
        return [h for h in self._hooks.values() if h.is_active and matches(h.scope, event_scope)]

    def add(
        self,
        client_id: str,
        scope: str,
        destination: str,
        headers: dict[str, str] | None,
        is_active: bool,
    ) -> Hook:
        stamp = int(time.time())
        hook = Hook(self._next_id, client_id, scope, destination, headers, is_active, stamp, stamp)
        self._next_id += 1
        self._hooks[hook.id] = hook
        return hook

    def remove(self, hook_id: int) -> None:
        self._hooks.pop(hook_id, None)

    def clear(self) -> None:
        self._hooks.clear()
