"""``checkout-gateway check``: green on the sandbox, names a missing scope, reports a bad token."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from gateway.bigcommerce.preflight import CAPABILITIES, PROBES, Verdict, check
from gateway.sandbox import SandboxServer
from tests.live_gateway import gateway_settings

ROOT = Path(__file__).resolve().parents[2]
EVERY_SCOPE = [
    "store_cart", "store_checkout", "store_v2_orders_read_only",
    "store_v2_transactions_read_only", "store_payments_methods_read",
    "store_payments_access_token_create", "store_v2_customers",
    "store_stored_payment_instruments_read_only", "store_v2_information_read_only",
]  # fmt: skip


def settings_for(sandbox: SandboxServer, token: str):
    settings = gateway_settings(sandbox)
    return settings.with_upstream(sandbox.api_url, sandbox.payments_url, sandbox.store_hash, token)


async def test_every_probe_passes_and_changes_nothing(sandbox: SandboxServer) -> None:
    carts, orders = len(sandbox.state.carts), len(sandbox.state.orders)
    tokens = len(sandbox.state.access_tokens)
    report = await check(settings_for(sandbox, sandbox.token))
    assert report.ok and report.exit_code == 0
    # Each probe reached its resource: the route exists and the scope let it through.
    assert {o.status for o in report.outcomes} <= {200, 404, 422}, report.outcomes
    assert report.store is not None and "Sandbox" in report.store
    assert [line.split()[0] for line in report.lines()[1:]] == ["OK"] * len(CAPABILITIES)
    state = sandbox.state
    assert (len(state.carts), len(state.orders), len(state.access_tokens)) == (
        carts,
        orders,
        tokens,
    )


@pytest.mark.parametrize(
    ("lacking", "capability", "named"),
    [
        ("store_cart", "carts and checkouts", "Carts: modify (store_cart)"),
        ("store_checkout", "carts and checkouts", "Checkouts: modify (store_checkout)"),
        ("store_v2_orders_read_only", "orders", "Orders: read-only (store_v2_orders_read_only)"),
        ("store_v2_transactions_read_only", "orders", "store_v2_transactions_read_only"),
        ("store_payments_methods_read", "payment methods", "Get Payment Methods: read-only"),
        ("store_payments_access_token_create", "payment access tokens", "Create Payments: create"),
        ("store_v2_customers", "sign-in", "Customers: modify (store_v2_customers)"),
        ("store_stored_payment_instruments_read_only", "sign-in", "Stored Payment Instruments"),
    ],
)
async def test_a_missing_scope_is_named_in_bigcommerces_words(
    sandbox: SandboxServer, lacking: str, capability: str, named: str
) -> None:
    sandbox.grant("restricted-token", [s for s in EVERY_SCOPE if s != lacking])
    report = await check(settings_for(sandbox, "restricted-token"))
    assert not report.ok and report.exit_code == 1
    missing = [line for line in report.lines() if line.startswith("MISSING")]
    assert len(missing) == 1, report.lines()
    assert missing[0].startswith(f"MISSING  {capability}: add the OAuth scope")
    assert named in missing[0] and lacking in missing[0]


async def test_a_read_only_scope_is_not_enough_to_write(sandbox: SandboxServer) -> None:
    scopes = [s for s in EVERY_SCOPE if s != "store_cart"] + ["store_cart_read_only"]
    sandbox.grant("read-only-carts", scopes)
    report = await check(settings_for(sandbox, "read-only-carts"))
    assert [o.probe.scope.scope for o in report.outcomes if o.verdict is Verdict.MISSING_SCOPE] == [
        "store_cart"
    ]


async def test_a_wrong_token_is_reported_as_such(sandbox: SandboxServer) -> None:
    report = await check(settings_for(sandbox, "not-a-token"))
    assert report.token_refused and report.exit_code == 1
    (line,) = report.lines()
    assert line.startswith("TOKEN REFUSED") and "401" in line


async def test_an_unreachable_store_is_not_called_a_missing_scope(sandbox: SandboxServer) -> None:
    settings = settings_for(sandbox, sandbox.token)
    settings = settings.with_upstream(
        "http://127.0.0.1:9", settings.payments_url, settings.store_hash, settings.access_token
    )
    report = await check(settings)
    assert report.exit_code == 1 and report.store is None
    assert all(line.startswith("UNKNOWN") for line in report.lines()[1:]), report.lines()
    assert {o.verdict for o in report.outcomes} == {Verdict.UNREACHABLE}


def test_probes_cover_every_capability() -> None:
    assert CAPABILITIES == (
        "carts and checkouts", "orders", "payment methods", "payment access tokens",
        "sign-in", "webhooks",
    )  # fmt: skip
    assert all(p.method in ("GET", "POST") for p in PROBES)


async def run_cli(*args: str, **env: str) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BIGCOMMERCE_", "GATEWAY_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", *args,
        env={**clean, **env}, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


async def test_cli_check_without_credentials_checks_the_embedded_sandbox() -> None:
    code, out = await run_cli("check")
    assert code == 0, out
    assert "embedded sandbox store" in out
    for capability in CAPABILITIES:
        assert f"OK       {capability}" in out


async def test_cli_check_names_the_missing_scope_and_fails(sandbox: SandboxServer) -> None:
    sandbox.grant("no-payments", [s for s in EVERY_SCOPE if s != "store_payments_methods_read"])
    env = {
        "BIGCOMMERCE_STORE_HASH": sandbox.store_hash,
        "BIGCOMMERCE_API_URL": sandbox.api_url,
        "BIGCOMMERCE_PAYMENTS_URL": sandbox.payments_url,
        "GATEWAY_SECRET": "a-secret-of-at-least-16-characters",
    }
    code, out = await run_cli("check", BIGCOMMERCE_ACCESS_TOKEN="no-payments", **env)
    assert code == 1, out
    assert "MISSING  payment methods: add the OAuth scope Get Payment Methods: read-only" in out
    assert "store_payments_methods_read" in out
    code, out = await run_cli("check", BIGCOMMERCE_ACCESS_TOKEN="wrong", **env)
    assert code == 1 and "TOKEN REFUSED" in out, out


async def test_store_information_is_shown_but_not_needed(sandbox: SandboxServer) -> None:
    sandbox.grant("no-info", [s for s in EVERY_SCOPE if s != "store_v2_information_read_only"])
    report = await check(settings_for(sandbox, "no-info"))
    assert report.ok and report.store is None
    assert report.lines()[0] == "store: (store information not read)"
