"""What the schema asks about shoppers: sign in and out, the profile, the wallet.

A thin front over ``identity`` and the ``CustomerAccounts`` port so that resolvers
stay a few lines. Every method takes the request's verified identity (or None for
a guest); nothing here trusts a customer id from the input.
"""

from __future__ import annotations

from gateway.domain.identity import Shopper, ShopperIdentity, SignIn, SignInResult, sign_out
from gateway.domain.models import StoredInstrument
from gateway.domain.ports import CustomerAccounts, ShopperTokens


class ShopperFlows:
    def __init__(self, sign_in: SignIn, tokens: ShopperTokens, accounts: CustomerAccounts) -> None:
        self._sign_in = sign_in
        self._tokens = tokens
        self._accounts = accounts

    async def sign_in(
        self, email: str, password: str, client_address: str, cart_id: str | None = None
    ) -> SignInResult:
        return await self._sign_in(email, password, client_address, cart_id)

    async def sign_out(self, shopper: ShopperIdentity | None) -> bool:
        """Revoke the request's own token; a guest has nothing to revoke."""
        return await sign_out(self._tokens, shopper)

    async def profile(self, shopper: ShopperIdentity | None) -> Shopper | None:
        """The signed-in shopper as BigCommerce knows them; None for a guest (or a customer
        deleted since the token was issued)."""
        if shopper is None:
            return None
        return await self._accounts.get_customer(shopper.customer_id)

    async def wallet(self, shopper: ShopperIdentity | None) -> list[StoredInstrument]:
        """Every instrument the shopper saved (none for a guest); no payment method named."""
        if shopper is None:
            return []
        return list(await self._accounts.stored_instruments(shopper.customer_id))
