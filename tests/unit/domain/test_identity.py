"""Shopper identity in the domain: reachability, sign-in limits, one answer for bad credentials.

``SignIn`` runs against a fake of the ``CustomerAccounts`` port (BigCommerce's side),
and the real token service and in-memory failure log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from gateway.bigcommerce.errors import MESSAGES
from gateway.domain.identity import (
    GUEST_CUSTOMER_ID,
    NOT_FOUND_MESSAGE,
    Shopper,
    ShopperIdentity,
    SignIn,
    ensure_reachable,
    identify,
    is_reachable,
    shopper_scope,
    sign_out,
)
from gateway.domain.models import StoredCard, StoredInstrument
from gateway.domain.ownership import OWNERSHIP_TTL_S, Owners
from gateway.domain.ports import SignInAttempt
from gateway.errors import ErrorCode, GatewayError
from gateway.stores.ownership import MemoryOwnershipStore
from gateway.stores.revocations import MemoryRevokedTokens
from gateway.stores.sign_in_attempts import MemorySignInAttempts
from gateway.tokens.own_tokens import OwnTokens
from gateway.tokens.service import ShopperTokenService

JANE = Shopper(1, "jane@example.com", "Jane", "Doe")
JOHN = Shopper(2, "john@example.com", "John", "Roe")
PASSWORD = "sandbox-password"
MIN_DURATION_S = 0.25
WINDOW_S = 900.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@dataclass
class FakeAccounts:
    """BigCommerce's customers and carts as the port describes them; records every call."""

    clock: FakeClock
    customers: dict[str, tuple[str, Shopper]] = field(
        default_factory=lambda: {
            JANE.email: (PASSWORD, JANE),
            JOHN.email: (PASSWORD, JOHN),
        }
    )
    carts: dict[str, int] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    # Upstream latency differs by outcome: the padding must hide it.
    unknown_email_s: float = 0.04
    wrong_password_s: float = 0.11
    down: bool = False

    async def validate_credentials(self, email: str, password: str, channel_id: int) -> int | None:
        self.calls.append("validate_credentials")
        assert channel_id == 1
        await asyncio.sleep(0)  # an upstream call: other requests run meanwhile
        if self.down:
            raise GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "The store is not reachable.")
        known = self.customers.get(email.strip().lower())
        if known is None:
            self.clock.now += self.unknown_email_s
            return None
        self.clock.now += self.wrong_password_s
        return known[1].customer_id if known[0] == password else None

    async def get_customer(self, customer_id: int) -> Shopper | None:
        self.calls.append("get_customer")
        return next((s for _, s in self.customers.values() if s.customer_id == customer_id), None)

    async def stored_instruments(self, customer_id: int) -> Sequence[StoredInstrument]:
        self.calls.append("stored_instruments")
        card = StoredCard("tok", True, "visa", "1111", 12, 2030, "411111")
        return [card] if customer_id == JANE.customer_id else []

    async def cart_customer_id(self, cart_id: str) -> int | None:
        self.calls.append("cart_customer_id")
        return self.carts.get(cart_id)

    async def assign_cart(self, cart_id: str, customer_id: int) -> None:
        self.calls.append("assign_cart")
        self.carts[cart_id] = customer_id


@dataclass
class World:
    clock: FakeClock
    accounts: FakeAccounts
    tokens: ShopperTokenService
    sign_in: SignIn
    owners: Owners


@pytest.fixture
def world() -> World:
    clock = FakeClock()
    accounts = FakeAccounts(clock)
    tokens = ShopperTokenService(
        OwnTokens(b"s" * 32, "store", 1, 3600), MemoryRevokedTokens(), external=None
    )
    attempts = MemorySignInAttempts(5, 12, WINDOW_S, clock)
    owners = Owners(MemoryOwnershipStore(OWNERSHIP_TTL_S))
    sign_in = SignIn(
        accounts,
        tokens,
        attempts,
        channel_id=1,
        min_duration_s=MIN_DURATION_S,
        owners=owners,
        clock=clock,
        sleep=clock.sleep,
    )
    return World(clock, accounts, tokens, sign_in, owners)


def identity(customer_id: int) -> ShopperIdentity:
    return ShopperIdentity(customer_id, "store", 1, 0, 10, "jti")


def test_a_customers_resource_is_reachable_only_by_that_customer() -> None:
    assert is_reachable(1, identity(1))
    assert not is_reachable(1, identity(2))
    assert not is_reachable(1, None)
    # A guest's resource: anyone holding its id.
    assert is_reachable(GUEST_CUSTOMER_ID, None)
    assert is_reachable(GUEST_CUSTOMER_ID, identity(2))


def test_unreachable_is_not_found_exactly_as_an_unknown_id() -> None:
    with pytest.raises(GatewayError) as caught:
        ensure_reachable(1, identity(2), ["orderId"])
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert caught.value.field == ("orderId",)
    # The adapter's message for an unknown id: word for word the same.
    assert caught.value.message == NOT_FOUND_MESSAGE == MESSAGES[ErrorCode.NOT_FOUND]
    ensure_reachable(1, identity(1))  # the owner passes


def test_scopes_keep_shoppers_apart() -> None:
    assert len({shopper_scope(None), shopper_scope(identity(1)), shopper_scope(identity(2))}) == 3


async def test_sign_in_returns_the_shopper_and_a_token_that_verifies(world: World) -> None:
    result = await world.sign_in(" Jane@Example.com", PASSWORD, "10.0.0.1")
    assert result.shopper == JANE
    verified = await world.tokens.verify(result.issued.token)
    assert verified.customer_id == JANE.customer_id
    assert result.issued.identity.expires_at - result.issued.identity.issued_at == 3600
    assert result.cart_assigned is False
    assert result.issued.token not in repr(result)
    # One credential check and the customer read; without a cartId, no cart lookup.
    assert world.accounts.calls == ["validate_credentials", "get_customer"]


async def expect(
    world: World, email: str, password: str, address: str = "10.0.0.1"
) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        await world.sign_in(email, password, address)
    return caught.value


async def test_unknown_email_and_wrong_password_answer_alike_in_content_and_time(
    world: World,
) -> None:
    answers = []
    for email, password in (("nobody@example.com", PASSWORD), (JANE.email, "wrong")):
        started = world.clock.now
        error = await expect(world, email, password)
        answers.append((error.code, error.message, error.field, error.extensions))
        # Whatever the upstream took (0.04 s or 0.11 s), the answer comes at the floor.
        assert world.clock.now - started == pytest.approx(MIN_DURATION_S)
    assert answers[0] == answers[1]
    assert answers[0][:3] == (
        ErrorCode.INVALID_CREDENTIALS,
        "The email or password is not correct.",
        None,
    )


async def test_the_sixth_failure_is_rate_limited_without_asking_bigcommerce(world: World) -> None:
    for _ in range(5):
        assert (await expect(world, JANE.email, "wrong")).code is ErrorCode.INVALID_CREDENTIALS
    asked = len(world.accounts.calls)
    sixth = await expect(world, JANE.email, "wrong")
    assert sixth.code is ErrorCode.RATE_LIMITED
    # The first failure leaves the window 5 floors (1.25 s) after it started.
    assert 0 < sixth.extensions["retryAfterMs"] <= WINDOW_S * 1000
    # Even the right password waits now; BigCommerce was not asked either time.
    assert (await expect(world, "JANE@example.com", PASSWORD)).code is ErrorCode.RATE_LIMITED
    assert len(world.accounts.calls) == asked
    # Another shopper from another address is not affected.
    assert (await world.sign_in(JOHN.email, PASSWORD, "10.0.0.2")).shopper == JOHN
    # After the window the email may try again.
    world.clock.now += sixth.extensions["retryAfterMs"] / 1000
    assert (await world.sign_in(JANE.email, PASSWORD, "10.0.0.1")).shopper == JANE


async def test_the_last_moments_of_a_wait_are_told_as_one_millisecond(world: World) -> None:
    world.accounts.wrong_password_s = 0.0  # each failure takes the floor exactly: exact waits
    for _ in range(5):
        await expect(world, JANE.email, "wrong")
    limited = await expect(world, JANE.email, "wrong")
    assert limited.message == "Too many failed sign-ins; retry after the indicated wait."
    assert limited.field is None
    world.clock.now += limited.extensions["retryAfterMs"] / 1000 - 0.0004
    last = await expect(world, JANE.email, "wrong")
    # 0.4 ms left: never 0 ms, which a client would take as "retry at once".
    assert (last.code, last.extensions) == (ErrorCode.RATE_LIMITED, {"retryAfterMs": 1})


async def test_a_burst_of_parallel_guesses_gets_five_checks_only(world: World) -> None:
    results = await asyncio.gather(
        *(world.sign_in(JANE.email, f"guess-{n}", "10.0.0.1") for n in range(20)),
        return_exceptions=True,
    )
    codes = sorted(r.code.value for r in results if isinstance(r, GatewayError))
    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 15
    assert world.accounts.calls.count("validate_credentials") == 5


async def test_bigcommerce_down_does_not_spend_the_shoppers_budget(world: World) -> None:
    world.accounts.down = True
    for _ in range(8):
        assert (await expect(world, JANE.email, PASSWORD)).code is ErrorCode.UPSTREAM_UNAVAILABLE
    world.accounts.down = False
    assert (await world.sign_in(JANE.email, PASSWORD, "10.0.0.1")).shopper == JANE


async def test_one_address_trying_many_emails_is_limited_too(world: World) -> None:
    for number in range(12):
        error = await expect(world, f"guess{number}@example.com", "x", "10.9.9.9")
        assert error.code is ErrorCode.INVALID_CREDENTIALS
    assert (await expect(world, "guess99@example.com", "x", "10.9.9.9")).code is (
        ErrorCode.RATE_LIMITED
    )
    assert (await world.sign_in(JANE.email, PASSWORD, "10.1.1.1")).shopper == JANE


async def test_a_success_forgets_the_emails_failures(world: World) -> None:
    for _ in range(4):
        await expect(world, JANE.email, "wrong")
    await world.sign_in(JANE.email, PASSWORD, "10.0.0.1")
    for _ in range(5):
        assert (await expect(world, JANE.email, "wrong")).code is ErrorCode.INVALID_CREDENTIALS


async def test_malformed_input_is_validation_before_any_call(world: World) -> None:
    for email, password, path in (
        ("", PASSWORD, ["email"]),
        ("a" * 300 + "@example.com", PASSWORD, ["email"]),
        (JANE.email, "", ["password"]),
        (JANE.email, "p" * 5000, ["password"]),
    ):
        error = await expect(world, email, password)
        assert (error.code, error.field) == (ErrorCode.VALIDATION, tuple(path))
        assert not password or password not in error.message
    assert world.accounts.calls == []


async def test_the_longest_email_and_password_allowed_reach_the_credential_check(
    world: World,
) -> None:
    domain = "@example.com"
    longest = "a" * (255 - len(domain)) + domain
    assert (await expect(world, longest, PASSWORD)).code is ErrorCode.INVALID_CREDENTIALS
    assert (await expect(world, JANE.email, "p" * 1024)).code is ErrorCode.INVALID_CREDENTIALS
    # A failed check reads no customer: one upstream call each.
    assert world.accounts.calls == ["validate_credentials"] * 2
    too_long = await expect(world, "a" + longest, PASSWORD)
    assert (too_long.code, too_long.message) == (
        ErrorCode.VALIDATION,
        "Enter an email address of at most 255 characters.",
    )
    too_long = await expect(world, JANE.email, "p" * 1025)
    assert (too_long.code, too_long.message) == (
        ErrorCode.VALIDATION,
        "Enter a password of at most 1024 characters.",
    )
    assert world.accounts.calls == ["validate_credentials"] * 2


async def test_an_outage_between_guesses_forgives_none_of_them(world: World) -> None:
    for _ in range(3):
        await expect(world, JANE.email, "wrong")
    world.accounts.down = True
    assert (await expect(world, JANE.email, "wrong")).code is ErrorCode.UPSTREAM_UNAVAILABLE
    world.accounts.down = False
    for _ in range(2):
        assert (await expect(world, JANE.email, "wrong")).code is ErrorCode.INVALID_CREDENTIALS
    assert (await expect(world, JANE.email, "wrong")).code is ErrorCode.RATE_LIMITED


class UnreachableAfterTheCheck(MemorySignInAttempts):
    """A shared attempts store that answers the check, then is gone (Redis down)."""

    async def release(self, attempt: SignInAttempt) -> None:
        raise GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "The shared store is not reachable.")

    async def clear(self, email: str) -> None:
        raise GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "The shared store is not reachable.")


async def test_a_store_gone_after_the_check_does_not_undo_a_sign_in(world: World) -> None:
    attempts = UnreachableAfterTheCheck(5, 12, WINDOW_S, world.clock)
    sign_in = SignIn(
        world.accounts,
        world.tokens,
        attempts,
        channel_id=1,
        min_duration_s=MIN_DURATION_S,
        owners=world.owners,
        clock=world.clock,
        sleep=world.clock.sleep,
    )
    # The counter is left as it was: at worst it delays a later try, it never lets one in.
    assert (await sign_in(JANE.email, PASSWORD, "10.0.0.1")).shopper == JANE
    world.accounts.down = True
    with pytest.raises(GatewayError) as caught:
        await sign_in(JANE.email, PASSWORD, "10.0.0.1")
    # The outage's own error, not the attempts store's.
    assert caught.value.message == "The store is not reachable."


async def test_a_guest_cart_becomes_the_shoppers(world: World) -> None:
    world.accounts.carts["guest-cart"] = GUEST_CUSTOMER_ID
    result = await world.sign_in(JANE.email, PASSWORD, "10.0.0.1", cart_id="guest-cart")
    assert result.cart_assigned is True
    assert world.accounts.carts["guest-cart"] == JANE.customer_id


async def test_an_adopted_cart_is_remembered_as_the_shoppers_at_once(world: World) -> None:
    cart_id = "c6dc1026-ae05-483d-8e48-635ec8638c7a"
    world.accounts.carts[cart_id] = GUEST_CUSTOMER_ID
    await world.owners.checkout_is(cart_id, GUEST_CUSTOMER_ID)  # remembered from createCart
    result = await world.sign_in(JANE.email, PASSWORD, "10.0.0.1", cart_id=cart_id)
    assert result.cart_assigned is True
    assert await world.owners.of_checkout(cart_id) == JANE.customer_id


async def test_another_customers_cart_and_an_unknown_cart_are_left_untouched(world: World) -> None:
    world.accounts.carts["johns-cart"] = JOHN.customer_id
    result = await world.sign_in(JANE.email, PASSWORD, "10.0.0.1", cart_id="johns-cart")
    assert result.cart_assigned is False
    assert world.accounts.carts["johns-cart"] == JOHN.customer_id
    result = await world.sign_in(JANE.email, PASSWORD, "10.0.0.1", cart_id="no-such-cart")
    assert result.cart_assigned is False
    assert "no-such-cart" not in world.accounts.carts
    assert "assign_cart" not in world.accounts.calls


async def test_the_shoppers_own_cart_stays_theirs_without_a_write(world: World) -> None:
    world.accounts.carts["janes-cart"] = JANE.customer_id
    result = await world.sign_in(JANE.email, PASSWORD, "10.0.0.1", cart_id="janes-cart")
    assert result.cart_assigned is True
    assert "assign_cart" not in world.accounts.calls


async def test_a_failing_cart_lookup_does_not_undo_the_sign_in(world: World) -> None:
    async def unavailable(cart_id: str) -> int | None:
        raise GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "down")

    world.accounts.cart_customer_id = unavailable  # type: ignore[method-assign]
    result = await world.sign_in(JANE.email, PASSWORD, "10.0.0.1", cart_id="guest-cart")
    assert result.shopper == JANE
    assert result.cart_assigned is False


async def test_sign_out_revokes_the_token(world: World) -> None:
    result = await world.sign_in(JANE.email, PASSWORD, "10.0.0.1")
    shopper = await world.tokens.verify(result.issued.token)
    assert await sign_out(world.tokens, shopper) is True
    with pytest.raises(GatewayError) as caught:
        await world.tokens.verify(result.issued.token)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
    assert await sign_out(world.tokens, None) is False


async def test_the_header_names_the_shopper_or_a_guest(world: World) -> None:
    issued = world.tokens.issue(JANE.customer_id)
    assert (await identify(world.tokens, f" {issued.token} ")) == issued.identity
    assert await identify(world.tokens, None) is None
    assert await identify(world.tokens, "  ") is None
    with pytest.raises(GatewayError) as caught:
        await identify(world.tokens, issued.token[:-3])
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
