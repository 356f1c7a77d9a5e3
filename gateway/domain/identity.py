"""Shopper identity: who the shopper is, and what they may reach.

Why this module exists: a client key is public (it ships in browser code), so it
can say which app calls but never which shopper. The gateway learns the shopper
only from a token it verified (``ShopperIdentity``), and every customer-owned
resource passes through ``ensure_reachable``: a customer's checkout, order or
instruments answer ``NOT_FOUND`` to anyone else, with the very message of an
unknown id, so a stranger cannot even learn that the id exists.

``SignIn`` orchestrates a sign-in through its ports (``domain.ports``):
limits first (BigCommerce is never asked once an email or an address is over its
failure budget; the attempt is counted in the same step, so a burst of parallel
guesses cannot all pass the check), then the credential check, padded to a
minimum duration so that an unknown email and a wrong password look alike in
content and in time. A success or an upstream failure un-counts the attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

from gateway.domain.ownership import Owners
from gateway.domain.ports import (
    CustomerAccounts,
    ShopperTokens,
    SignInAttempt,
    SignInAttempts,
)
from gateway.errors import ErrorCode, GatewayError

GUEST_CUSTOMER_ID = 0  # BigCommerce's customer_id of a guest cart or order
NOT_FOUND_MESSAGE = "Not found."  # the same words as an unknown id (bigcommerce.errors.MESSAGES)
INVALID_CREDENTIALS_MESSAGE = "The email or password is not correct."
UNAUTHENTICATED_MESSAGE = "The shopper token is not valid; sign in again or send no token."
RATE_LIMITED_MESSAGE = "Too many failed sign-ins; retry after the indicated wait."
MAX_EMAIL = 255
MAX_PASSWORD = 1024  # bounds the work an attacker can make us (and BigCommerce) do


@dataclass(frozen=True, slots=True)
class Shopper:
    """A BigCommerce customer as the schema shows them."""

    customer_id: int
    email: str
    first_name: str | None = None
    last_name: str | None = None


class TokenSource(Enum):
    OWN = "own"  # issued by this gateway at sign-in
    EXTERNAL = "external"  # a federated graph's router issued it (verified against its JWKS)


@dataclass(frozen=True, slots=True)
class ShopperIdentity:
    """What a verified shopper token says. Times are Unix seconds."""

    customer_id: int
    store_hash: str
    channel_id: int
    issued_at: int
    expires_at: int
    token_id: str = field(repr=False)  # the token's jti: what a sign-out revokes
    source: TokenSource = TokenSource.OWN

    @property
    def expires_at_iso(self) -> str:
        return datetime.fromtimestamp(self.expires_at, UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly signed token and what it says. The token itself never goes to a log."""

    token: str = field(repr=False)
    identity: ShopperIdentity


@dataclass(frozen=True, slots=True)
class SignInResult:
    shopper: Shopper
    issued: IssuedToken
    cart_assigned: bool  # the guest cart named by cartId is now the shopper's


def is_reachable(owner_customer_id: int, shopper: ShopperIdentity | None) -> bool:
    """A guest's resource is reachable by anyone holding its id; a customer's only by them."""
    if owner_customer_id == GUEST_CUSTOMER_ID:
        return True
    return shopper is not None and shopper.customer_id == owner_customer_id


def not_found(field: Sequence[str] | None = None) -> GatewayError:
    """The answer for an unknown id and for someone else's resource alike."""
    return GatewayError(ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE, field)


def ensure_reachable(
    owner_customer_id: int, shopper: ShopperIdentity | None, field: Sequence[str] | None = None
) -> None:
    """Raise ``NOT_FOUND`` (as for an unknown id) unless ``shopper`` may reach the resource."""
    if not is_reachable(owner_customer_id, shopper):
        raise not_found(field)


def shopper_scope(shopper: ShopperIdentity | None) -> str:
    """The key part that keeps one shopper's idempotency records and caches from another's."""
    return "guest" if shopper is None else f"customer:{shopper.customer_id}"


def unauthenticated() -> GatewayError:
    """One answer for every bad token (invalid, expired, revoked, tampered, wrong store)."""
    return GatewayError(ErrorCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE)


def invalid_credentials() -> GatewayError:
    return GatewayError(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE)


def rate_limited(retry_after_s: float) -> GatewayError:
    return GatewayError(
        ErrorCode.RATE_LIMITED,
        RATE_LIMITED_MESSAGE,
        extensions={"retryAfterMs": max(1, math.ceil(retry_after_s * 1000))},
    )


def normalize_email(email: str) -> str:
    """One spelling per mailbox for the failure counters (``Jane@X.com `` is ``jane@x.com``)."""
    return email.strip().casefold()


class SignIn:
    """Sign a shopper in: limits, credential check, token, and the guest cart adopted.

    ``clock`` and ``sleep`` are the time source and the wait used for the minimum
    duration (injectable so tests can see the floor without timing anything).
    """

    def __init__(
        self,
        accounts: CustomerAccounts,
        tokens: ShopperTokens,
        attempts: SignInAttempts,
        *,
        channel_id: int,
        min_duration_s: float,
        owners: Owners,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._accounts = accounts
        self._tokens = tokens
        self._attempts = attempts
        self._channel_id = channel_id
        self._min_duration_s = min_duration_s
        self._owners = owners
        self._clock = clock
        self._sleep = sleep

    async def __call__(
        self, email: str, password: str, client_address: str, cart_id: str | None = None
    ) -> SignInResult:
        _check_input(email, password)
        attempt = await self._attempts.begin(normalize_email(email), client_address)
        if attempt.retry_after_s > 0:
            raise rate_limited(attempt.retry_after_s)
        started = self._clock()
        try:
            shopper = await self._check_credentials(email.strip(), password)
        except Exception:
            await self._uncount(attempt)  # BigCommerce did not answer: no failure
            raise
        await self._pad(started)
        if shopper is None:
            raise invalid_credentials()  # the attempt stays counted
        await self._uncount(attempt, forget_failures=True)
        issued = self._tokens.issue(shopper.customer_id)
        assigned = await self._adopt_cart(cart_id, shopper.customer_id) if cart_id else False
        return SignInResult(shopper, issued, assigned)

    async def _check_credentials(self, email: str, password: str) -> Shopper | None:
        """The same calls for an unknown email and a wrong password: one credential check."""
        customer_id = await self._accounts.validate_credentials(email, password, self._channel_id)
        return await self._accounts.get_customer(customer_id) if customer_id else None

    async def _uncount(self, attempt: SignInAttempt, forget_failures: bool = False) -> None:
        """Best effort: a counter left too high only delays a later try; it never lets one in."""
        with contextlib.suppress(GatewayError):
            await self._attempts.release(attempt)
            if forget_failures:
                await self._attempts.clear(attempt.email)

    async def _pad(self, started: float) -> None:
        """Bring every credential check up to the same minimum duration."""
        left = self._min_duration_s - (self._clock() - started)
        if left > 0:
            await self._sleep(left)

    async def _adopt_cart(self, cart_id: str, customer_id: int) -> bool:
        """Only a guest cart changes hands; an unknown or a customer's cart is left as it is.

        The sign-in has succeeded by now, so a failure here does not undo it: the
        shopper gets the token and ``cart_assigned`` says the cart stayed a guest's.
        """
        try:
            owner = await self._accounts.cart_customer_id(cart_id)
            if owner != GUEST_CUSTOMER_ID:
                return owner == customer_id
            await self._accounts.assign_cart(cart_id, customer_id)
        except GatewayError:
            return False
        # The one owner change made through the gateway: the shared entry says so at once, so
        # a guest holding the cart id is refused on every replica (domain.ownership).
        await self._owners.checkout_is(cart_id, customer_id)
        return True


SHOPPER_TOKEN_HEADER = "X-Shopper-Token"  # noqa: S105 (a header name, not a secret)


async def identify(tokens: ShopperTokens, header_value: str | None) -> ShopperIdentity | None:
    """The shopper a request's ``X-Shopper-Token`` names: None (a guest) when there is none.

    A token that does not verify raises ``UNAUTHENTICATED`` (HTTP 401): a bad
    token never quietly degrades to a guest, or a client would not learn to
    sign in again.
    """
    token = (header_value or "").strip()
    if not token:
        return None
    return await tokens.verify(token)


async def sign_out(tokens: ShopperTokens, shopper: ShopperIdentity | None) -> bool:
    """Revoke the token the request was made with until it expires; a guest has nothing to do."""
    if shopper is None:
        return False
    await tokens.revoke(shopper)
    return True


def _check_input(email: str, password: str) -> None:
    """Shape only (before any counter or upstream call); never echoes a value."""
    if not email.strip() or len(email) > MAX_EMAIL:
        raise GatewayError(
            ErrorCode.VALIDATION,
            f"Enter an email address of at most {MAX_EMAIL} characters.",
            ["email"],
        )
    if not password or len(password) > MAX_PASSWORD:
        raise GatewayError(
            ErrorCode.VALIDATION,
            f"Enter a password of at most {MAX_PASSWORD} characters.",
            ["password"],
        )
