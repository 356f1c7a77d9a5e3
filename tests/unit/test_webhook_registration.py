"""Registering the order hooks: one per scope, however often, others' hooks left alone."""

from __future__ import annotations

from dataclasses import replace

from gateway.domain.webhook_registration import (
    ORDER_HOOK_SCOPES,
    SECRET_HEADER,
    Hook,
    register_order_hooks,
)

HERE = "https://gw.example/webhooks/bigcommerce"
SECRET = "s" * 32


class Registry:
    """A fake of the ``HookRegistry`` port: hooks in a dict, calls counted."""

    def __init__(self, *hooks: Hook) -> None:
        self.hooks = {h.id: h for h in hooks}
        self.writes = 0

    async def list_hooks(self) -> list[Hook]:
        return list(self.hooks.values())

    async def create_hook(self, scope: str, destination: str, headers: dict[str, str]) -> Hook:
        self.writes += 1
        hook = Hook(100 + len(self.hooks), scope, destination, True, dict(headers))
        self.hooks[hook.id] = hook
        return hook

    async def update_hook(self, hook_id: int, destination: str, headers: dict[str, str]) -> Hook:
        self.writes += 1
        hook = replace(self.hooks[hook_id], destination=destination, is_active=True,
                       headers=dict(headers))  # fmt: skip
        self.hooks[hook_id] = hook
        return hook


def ours(registry: Registry) -> dict[str, list[Hook]]:
    return {
        s: [h for h in registry.hooks.values() if h.scope == s and h.destination == HERE]
        for s in ORDER_HOOK_SCOPES
    }


async def test_the_first_run_creates_one_hook_per_scope_and_later_runs_change_nothing() -> None:
    registry = Registry()
    first = await register_order_hooks(registry, HERE, SECRET)
    assert [r.action for r in first] == ["created", "created"]
    for _ in range(3):
        again = await register_order_hooks(registry, HERE, SECRET)
        assert [r.action for r in again] == ["unchanged", "unchanged"]
    assert registry.writes == 2
    assert all(len(hooks) == 1 for hooks in ours(registry).values())
    assert all(h.headers == {SECRET_HEADER: SECRET} for h in registry.hooks.values())


async def test_an_inactive_hook_or_a_new_secret_is_updated_in_place() -> None:
    registry = Registry(
        Hook(1, ORDER_HOOK_SCOPES[0], HERE, False, {SECRET_HEADER: SECRET}),
        Hook(2, ORDER_HOOK_SCOPES[1], HERE, True, {SECRET_HEADER: "old" * 8}),
    )
    done = await register_order_hooks(registry, HERE, SECRET)
    assert [(r.action, r.hook.id) for r in done] == [("updated", 1), ("updated", 2)]
    assert all(h.is_active and h.headers[SECRET_HEADER] == SECRET for h in registry.hooks.values())


async def test_our_hook_moves_to_a_new_destination_and_others_hooks_stay() -> None:
    elsewhere = Hook(7, ORDER_HOOK_SCOPES[0], "https://crm.example/hook", True, {"X-Crm": "k"})
    moved = Hook(8, ORDER_HOOK_SCOPES[1], "https://old.example/wh", True, {SECRET_HEADER: "x"})
    registry = Registry(elsewhere, moved)
    done = await register_order_hooks(registry, HERE, SECRET)
    assert [r.action for r in done] == ["created", "updated"]
    assert registry.hooks[7] == elsewhere  # not ours: untouched
    assert registry.hooks[8].destination == HERE
    assert SECRET not in repr(registry.hooks[8])  # the secret never shows in a repr
    assert registry.hooks[8].header_names == [SECRET_HEADER]
