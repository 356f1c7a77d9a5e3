"""``checkout-gateway check``: can this API account do what the gateway asks of the store?

Every probe reads, or writes to something that does not exist, so nothing changes on
the store. BigCommerce checks a token's OAuth scopes before it looks for the resource:
a call outside the scopes answers 403 whatever the id, and a call inside them reaches
the resource, which a nonexistent id answers 404 (or 422: the body was refused). So:

- 401: the token itself is refused (wrong token, or a store hash it is not for);
- 403: the scope is missing, named below in BigCommerce's words (the reference files'
  "OAuth scopes" tables: carts.v3.yml, orders.v2.oas2.yml, orders.v3.yml,
  payments/access-tokens_payments.v3.yml, customers.v3.yml; webhooks.v3.yml: default scope);
- anything else under 500: the call was allowed.

Writes use ids that cannot exist (the nil UUID for a cart or checkout, order and customer
2147483647): a payment access token is asked for an order that does not exist, so none is
minted; credentials are validated with an empty body, so no sign-in attempt is counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any
from urllib.parse import quote

import aiohttp

from gateway.settings import Settings

NO_CART = "00000000-0000-0000-0000-000000000000"
NO_ID = 2_147_483_647
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Scope:
    """An OAuth scope as BigCommerce's API-account form and reference files name it."""

    name: str  # "Carts"
    permission: str  # "modify", "read-only", "create"
    scope: str  # "store_cart"

    def __str__(self) -> str:
        return f"{self.name}: {self.permission} ({self.scope})"


CARTS = Scope("Carts", "modify", "store_cart")
CHECKOUTS = Scope("Checkouts", "modify", "store_checkout")
ORDERS = Scope("Orders", "read-only", "store_v2_orders_read_only")
TRANSACTIONS = Scope("Order Transactions", "read-only", "store_v2_transactions_read_only")
PAYMENT_METHODS = Scope("Get Payment Methods", "read-only", "store_payments_methods_read")
PAYMENT_TOKENS = Scope("Create Payments", "create", "store_payments_access_token_create")
CUSTOMERS = Scope("Customers", "modify", "store_v2_customers")
STORED_INSTRUMENTS = Scope(
    "Stored Payment Instruments", "read-only", "store_stored_payment_instruments_read_only"
)
DEFAULT_SCOPE = Scope("Webhooks", "default", "the API account's default scope")


@dataclass(frozen=True)
class Probe:
    capability: str
    method: str
    path: str  # under /stores/{hash}
    scope: Scope
    body: Any = None


PROBES: tuple[Probe, ...] = (
    Probe("carts and checkouts", "POST", f"/v3/carts/{NO_CART}/redirect_urls", CARTS),
    Probe("carts and checkouts", "POST", f"/v3/checkouts/{NO_CART}/billing-address", CHECKOUTS, {}),
    Probe("orders", "GET", "/v2/orders?limit=1", ORDERS),
    Probe("orders", "GET", f"/v3/orders/{NO_ID}/transactions", TRANSACTIONS),
    Probe("payment methods", "GET", f"/v3/payments/methods?order_id={NO_ID}", PAYMENT_METHODS),
    Probe(
        "payment access tokens",
        "POST",
        "/v3/payments/access_tokens",
        PAYMENT_TOKENS,
        {"order": {"id": NO_ID, "is_recurring": False}},
    ),
    Probe("sign-in", "GET", "/v3/customers?limit=1", CUSTOMERS),
    Probe("sign-in", "POST", "/v3/customers/validate-credentials", CUSTOMERS, {}),
    Probe("sign-in", "GET", f"/v3/customers/{NO_ID}/stored-instruments", STORED_INSTRUMENTS),
    Probe("webhooks", "GET", "/v3/hooks", DEFAULT_SCOPE),
)
CAPABILITIES = tuple(dict.fromkeys(p.capability for p in PROBES))


class Verdict(Enum):
    OK = auto()
    MISSING_SCOPE = auto()
    TOKEN_REFUSED = auto()  # 401: the token itself
    UNREACHABLE = auto()  # no answer, 429 or 5xx: nothing learnt


@dataclass(frozen=True)
class Outcome:
    probe: Probe
    verdict: Verdict
    status: int | None


@dataclass(frozen=True)
class Report:
    store: str | None  # the store's name and domain, when readable
    outcomes: Sequence[Outcome]

    @property
    def ok(self) -> bool:
        return all(o.verdict is Verdict.OK for o in self.outcomes)

    @property
    def token_refused(self) -> bool:
        return any(o.verdict is Verdict.TOKEN_REFUSED for o in self.outcomes)

    def lines(self) -> list[str]:
        if self.token_refused:
            return [
                "TOKEN REFUSED  the store answered 401: BIGCOMMERCE_ACCESS_TOKEN is not a valid "
                "token for BIGCOMMERCE_STORE_HASH; create an API account for this store and "
                "use its access token."
            ]
        lines = [f"store: {self.store}" if self.store else "store: (store information not read)"]
        for capability in CAPABILITIES:
            mine = [o for o in self.outcomes if o.probe.capability == capability]
            missing = list(
                dict.fromkeys(
                    str(o.probe.scope) for o in mine if o.verdict is Verdict.MISSING_SCOPE
                )
            )
            failed = [o for o in mine if o.verdict is Verdict.UNREACHABLE]
            if missing:
                lines.append(f"MISSING  {capability}: add the OAuth scope {', '.join(missing)}")
            elif failed:
                status = failed[0].status
                said = f"answered {status}" if status is not None else "did not answer"
                lines.append(f"UNKNOWN  {capability}: the store {said}; run the check again")
            else:
                lines.append(f"OK       {capability}")
        return lines

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


async def check(settings: Settings) -> Report:
    """Run every probe against the store in ``settings``, at once."""
    base = f"{settings.api_url}/stores/{quote(settings.store_hash, safe='')}"
    headers = {"X-Auth-Token": settings.access_token, "Accept": "application/json"}
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as http:
        store = asyncio.ensure_future(_store_name(http, base))
        outcomes = await asyncio.gather(*(_probe(http, base, probe) for probe in PROBES))
        return Report(store=await store, outcomes=outcomes)


async def _probe(http: aiohttp.ClientSession, base: str, probe: Probe) -> Outcome:
    try:
        async with http.request(probe.method, base + probe.path, json=probe.body) as resp:
            status = resp.status
    except (aiohttp.ClientError, TimeoutError):
        return Outcome(probe, Verdict.UNREACHABLE, None)
    return Outcome(probe, _verdict(status), status)


def _verdict(status: int) -> Verdict:
    if status == 401:
        return Verdict.TOKEN_REFUSED
    if status == 403:
        return Verdict.MISSING_SCOPE
    if status == 429 or status >= 500:
        return Verdict.UNREACHABLE
    return Verdict.OK


async def _store_name(http: aiohttp.ClientSession, base: str) -> str | None:
    """``GET /v2/store``: the name and domain, to show which store was checked (optional:
    the gateway does not need Store Information, so a 403 here is no failure)."""
    try:
        async with http.get(f"{base}/v2/store") as resp:
            if resp.status != 200:
                return None
            info = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return None
    if not isinstance(info, dict) or not info.get("name"):
        return None
    domain = info.get("domain")
    return f"{info['name']} ({domain})" if domain else str(info["name"])
