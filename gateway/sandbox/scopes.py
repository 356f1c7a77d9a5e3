"""OAuth scopes per access token, as BigCommerce API accounts have them.

Scope names are BigCommerce's own, from ``docs/start/authentication/api-accounts.mdx``
("OAuth scopes" tables; bigcommerce/docs at the snapshot named in
tests/openapi/bigcommerce/SOURCE.md) and the ``X-Auth-Token`` security scheme of each
reference file:

- carts.v3.yml: ``store_cart`` / ``store_cart_read_only``
- api-accounts.mdx: ``store_checkout`` / ``store_checkout_read_only`` (checkouts.v3.yml spells
  them ``store_checkouts`` / ``store_checkouts_read_only``; both spellings are accepted)
- orders.v2.oas2.yml: ``store_v2_orders`` / ``store_v2_orders_read_only``
- orders.v3.yml (transactions): ``store_v2_transactions`` / ``store_v2_transactions_read_only``
- payments/*.v3.yml: ``store_payments_methods_read``, ``store_payments_access_token_create``
- customers.v3.yml: ``store_v2_customers`` / ``store_v2_customers_read_only``, and for stored
  instruments ``store_stored_payment_instruments`` / ``..._read_only``
  (``store_v2_customers_login`` is the Customer Login (SSO) API's, which the sandbox does not serve)
- store_information.v2.yml: ``store_v2_information`` / ``store_v2_information_read_only``
- webhooks.v3.yml: "None required. Create and manage webhooks with the default scope of an
  API account": every valid token may use ``/v3/hooks``.

api-accounts.mdx: "All OAuth scopes except default provide read-only permissions scopes so
that you can limit some accounts to sending GET and HEAD requests" - a read-only scope grants
GET and HEAD only. A token outside its scopes gets 403 in the API family's error format,
with the title webhooks.v3.yml and orders.v3.yml give their 403 responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .errors import ApiError, payments_error, v2_error, v3_error

# None grants everything (the sandbox's default token, like an account with every scope).
Grant = frozenset[str] | None

FORBIDDEN_TITLE = "Unauthorized Access. You do not have permission to make this request."
READS = frozenset({"GET", "HEAD"})

# (path under /stores/{hash}, scopes that allow writes, extra scopes that allow reads)
_RULES: tuple[tuple[re.Pattern[str], frozenset[str], frozenset[str]], ...] = tuple(
    (re.compile(pattern), frozenset(write), frozenset(read))
    for pattern, write, read in (
        (r"/v3/carts(/.*)?", {"store_cart"}, {"store_cart_read_only"}),
        (
            r"/v3/checkouts(/.*)?",
            {"store_checkout", "store_checkouts"},
            {"store_checkout_read_only", "store_checkouts_read_only"},
        ),
        (r"/v2/orders(/.*)?", {"store_v2_orders"}, {"store_v2_orders_read_only"}),
        (
            r"/v3/orders/[^/]+/transactions",
            {"store_v2_transactions"},
            {"store_v2_transactions_read_only"},
        ),
        (r"/v3/payments/methods", set(), {"store_payments_methods_read"}),
        (r"/v3/payments/access_tokens", {"store_payments_access_token_create"}, set()),
        (
            r"/v3/customers/[^/]+/stored-instruments",
            {"store_stored_payment_instruments"},
            {"store_stored_payment_instruments_read_only"},
        ),
        (r"/v3/customers(/.*)?", {"store_v2_customers"}, {"store_v2_customers_read_only"}),
        (r"/v2/(store|time)", {"store_v2_information"}, {"store_v2_information_read_only"}),
    )
)


def required_scopes(method: str, path: str) -> frozenset[str] | None:
    """Any one of these scopes allows the call; ``None``: no scope needed (default scope)."""
    for pattern, write, read in _RULES:
        if pattern.fullmatch(path):
            return write | read if method.upper() in READS else write
    return None


def allowed(grant: Grant, method: str, path: str) -> bool:
    needed = required_scopes(method, path)
    return grant is None or needed is None or not needed.isdisjoint(grant)


def forbidden(path: str) -> ApiError:
    if "/v2/" in path:
        # No v2 file gives a 403 body; the v2 error format with BigCommerce's own wording.
        return v2_error(403, "You don't have a required scope to access the endpoint")
    if "/v3/payments/" in path:
        return payments_error(403, FORBIDDEN_TITLE)
    return v3_error(403, FORBIDDEN_TITLE)


def grant_of(scopes: Iterable[str] | None) -> Grant:
    return None if scopes is None else frozenset(s.strip() for s in scopes if s.strip())


def parse_scopes(text: str) -> Grant:
    """``store_cart,store_checkout`` -> those scopes; ``*`` -> every scope."""
    return None if text.strip() == "*" else grant_of(text.split(","))


def parse_tokens(text: str) -> dict[str, Grant]:
    """``tokenA=store_cart,store_checkout;tokenB=*`` -> {token: grant}."""
    tokens: dict[str, Grant] = {}
    for entry in text.split(";"):
        if not entry.strip():
            continue
        token, sep, scopes = entry.partition("=")
        if not sep or not token.strip():
            raise ValueError("each token entry is TOKEN=scope,scope (or TOKEN=*)")
        tokens[token.strip()] = parse_scopes(scopes)
    return tokens


def describe(grants: Mapping[str, Grant]) -> str:
    return "; ".join(
        f"{token[:4]}...: {'all scopes' if grant is None else ','.join(sorted(grant)) or 'none'}"
        for token, grant in grants.items()
    )
