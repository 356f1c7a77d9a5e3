"""The ports shopper identity needs: what the domain asks of tokens, stores and BigCommerce.

Why Protocols: the domain states what it needs and the adapters (``gateway.tokens``,
``gateway.stores``, the BigCommerce client) fit it, so ``SignIn`` and the
reachability rules are tested against small fakes of these ports, and the
adapters against real servers. (To be merged into ``domain/ports.py`` once the
restructure has created it.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from gateway.domain.identity import IssuedToken, Shopper, ShopperIdentity
    from gateway.domain.models import StoredInstrument


class ShopperTokens(Protocol):
    """Issues the gateway's own tokens and verifies any token a request carries."""

    def issue(self, customer_id: int) -> IssuedToken: ...

    async def verify(self, token: str) -> ShopperIdentity:
        """The identity of a genuine, live, unrevoked token; else ``UNAUTHENTICATED``."""
        ...

    async def revoke(self, identity: ShopperIdentity) -> None:
        """Refuse this token (by its id) on every replica until it expires."""
        ...


class RevokedTokens(Protocol):
    """Token ids refused until the token's own expiry (after which the token is dead anyway)."""

    async def revoke(self, token_id: str, expires_at: float) -> None: ...

    async def is_revoked(self, token_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """One sign-in attempt as the failure log saw it.

    ``retry_after_s`` > 0: refused (a limit is reached; nothing was recorded).
    Otherwise the attempt is already counted as a failure under ``attempt_id``:
    counting before BigCommerce is asked is what stops a burst of parallel
    guesses from all passing the check at once.
    """

    email: str
    client_address: str
    attempt_id: str
    retry_after_s: float = 0.0


class SignInAttempts(Protocol):
    """Sign-in attempts counted per email (already normalized) and per client address."""

    async def begin(self, email: str, client_address: str) -> SignInAttempt:
        """Check both limits and, when allowed, count this attempt, in one atomic step."""
        ...

    async def release(self, attempt: SignInAttempt) -> None:
        """Un-count an attempt that was no failure (a success, or BigCommerce not answering)."""
        ...

    async def clear(self, email: str) -> None:
        """A successful sign-in forgets the email's failures (not the address's)."""
        ...


class CustomerAccounts(Protocol):
    """BigCommerce's customers and carts, as far as identity needs them."""

    async def validate_credentials(self, email: str, password: str, channel_id: int) -> int | None:
        """The customer id when the credentials are valid on the channel, else None."""
        ...

    async def get_customer(self, customer_id: int) -> Shopper | None: ...

    async def stored_instruments(self, customer_id: int) -> Sequence[StoredInstrument]: ...

    async def cart_customer_id(self, cart_id: str) -> int | None:
        """The cart's customer id (0 for a guest cart), None for an unknown cart."""
        ...

    async def assign_cart(self, cart_id: str, customer_id: int) -> None:
        """Make the cart the customer's (Update Cart ``customer_id``)."""
        ...
