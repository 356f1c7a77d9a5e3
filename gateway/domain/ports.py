"""What the domain needs from the world, as Protocols: the adapters implement them.

The flows call the store (``Storefront``, ``PaymentProcessor``, ``CustomerAccounts``),
keep idempotency records, cached payment methods, revoked token ids and sign-in
attempts in a store of the composition root's choosing, verify shopper tokens
through ``ShopperTokens``, and report what metrics need to an ``Observer``. Nothing
here names BigCommerce's REST shapes, Redis or GraphQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from gateway.domain.models import (
    Address,
    Cart,
    CartLine,
    Checkout,
    ConsignmentLine,
    Order,
    Payment,
    PaymentMethod,
    RedirectUrls,
    StoredInstrument,
    Transaction,
)
from gateway.domain.validation import CardDetails

if TYPE_CHECKING:
    from gateway.domain.identity import IssuedToken, Shopper, ShopperIdentity


@dataclass(frozen=True, slots=True)
class StoredChoice:
    """A stored instrument to charge, with the CVV when the shopper gave one (cards only)."""

    instrument: StoredInstrument
    verification_value: str | None = None


# What a payment charges: a new card as typed, or a stored instrument.
Instrument = CardDetails | StoredChoice


class Storefront(Protocol):
    """The store's cart, checkout and order calls. Failures raise ``GatewayError``."""

    store_hash: str

    async def create_cart(
        self,
        lines: list[CartLine],
        customer_id: int | None,
        channel_id: int | None,
        currency_code: str | None,
    ) -> tuple[Cart, RedirectUrls | None]: ...

    async def get_checkout(self, checkout_id: str) -> Checkout: ...

    async def add_billing_address(
        self, checkout_id: str, address: Address, version: int | None
    ) -> Checkout: ...

    async def update_billing_address(
        self, checkout_id: str, address_id: str, address: Address, version: int | None
    ) -> Checkout: ...

    async def add_consignment(
        self,
        checkout_id: str,
        address: Address,
        lines: list[ConsignmentLine],
        version: int | None,
    ) -> Checkout: ...

    async def update_consignment(
        self, checkout_id: str, consignment_id: str, shipping_option_id: str, version: int | None
    ) -> Checkout: ...

    async def create_order(self, checkout_id: str) -> int:
        """The new order's number."""

    async def get_order(self, number: int) -> Order: ...


class PaymentProcessor(Protocol):
    """The store's payment calls, and the order reads a payment's outcome is judged by."""

    store_hash: str

    async def get_payment_methods(self, order_number: int) -> list[PaymentMethod]: ...

    async def order_stored_instruments(self, order_number: int) -> list[StoredInstrument]:
        """The order's customer's instruments, each with the accepted method that charges it."""

    async def create_payment_access_token(self, order_number: int) -> str: ...

    async def process_payment(
        self,
        access_token: str,
        instrument: Instrument,
        payment_method_id: str,
        save_instrument: bool | None,
    ) -> Payment: ...

    async def get_order(self, number: int) -> Order: ...

    async def get_transactions(self, number: int) -> list[Transaction]: ...


@dataclass(frozen=True, slots=True)
class Stored:
    fingerprint: str
    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Busy:
    """Another request holds the key; its fingerprint tells whether the inputs match."""

    fingerprint: str


@dataclass(frozen=True, slots=True)
class Lease:
    key: str
    token: str


class IdempotencyBackend(Protocol):
    async def claim(self, key: str, fingerprint: str, ttl_s: float) -> Stored | Busy | Lease:
        """The stored answer, a note that the key is busy, or the right to run the operation."""

    async def wait(self, key: str, timeout_s: float) -> None:
        """Return when the key may have settled (or the timeout passed)."""

    async def finish(
        self, lease: Lease, fingerprint: str, record: dict[str, Any], ttl_s: float
    ) -> None: ...

    async def abandon(self, lease: Lease) -> None: ...


Loader = Callable[[], Awaitable[list[PaymentMethod]]]


class PaymentMethodsCache(Protocol):
    """Accepted payment methods per order: single-flight, failures not kept, dropped once paid."""

    async def get(
        self, store: str, order_number: int, load: Loader
    ) -> tuple[list[PaymentMethod], bool]:
        """The methods and whether they came from the cache."""

    async def drop(self, store: str, order_number: int) -> None: ...


class OwnershipStore(Protocol):
    """Remembered owners (customer ids; 0 = guest) of checkouts and orders, each entry kept
    for the store's TTL. A failing store raises ``GatewayError``; ``domain.ownership`` then
    reads upstream instead. Keys and values are ids only: never a token or card data."""

    async def checkout_owner(self, checkout_id: str) -> int | None: ...

    async def order_owner(self, number: int) -> int | None: ...

    async def remember_checkout(self, checkout_id: str, customer_id: int) -> None: ...

    async def remember_order(self, number: int, customer_id: int) -> None: ...


class Observer(Protocol):
    """What the flows report for metrics."""

    def cache_lookup(self, cache: str, hit: bool) -> None: ...

    def idempotent_replay(self) -> None: ...

    def payment_finished(self, method: str, outcome: str) -> None:
        """A charge decided: ``approved``, ``declined``, ``insufficient_funds``,
        ``outcome_unknown`` or another error code in lower case."""


class NullObserver:
    def cache_lookup(self, cache: str, hit: bool) -> None:
        pass

    def idempotent_replay(self) -> None:
        pass

    def payment_finished(self, method: str, outcome: str) -> None:
        pass


# Shopper identity: tokens, revocations, sign-in attempts and the store's customers.


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
