"""The BigCommerce adapter's CustomerAccounts port against the sandbox store (real HTTP)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from gateway.bigcommerce import BigCommerceClient, BigCommerceCustomers, UpstreamTransport, parse
from gateway.bigcommerce.errors import MalformedAnswer
from gateway.domain.identity import Shopper
from gateway.domain.models import CartLine, StoredCard, StoredPayPalAccount
from gateway.errors import ErrorCode, GatewayError
from gateway.sandbox import Fault, SandboxServer
from tests import live_gateway as live
from tests.flow import EMAILS, SANDBOX_PASSWORD


@pytest_asyncio.fixture
async def accounts(
    sandbox: SandboxServer,
) -> AsyncIterator[tuple[BigCommerceClient, BigCommerceCustomers]]:
    settings = live.gateway_settings(sandbox)
    transport = UpstreamTransport(settings)
    await transport.start()
    client = BigCommerceClient(transport, settings, str)
    try:
        yield client, BigCommerceCustomers(client)
    finally:
        await transport.close()


async def test_credentials_are_checked_on_the_channel(accounts, sandbox) -> None:
    _, customers = accounts
    assert await customers.validate_credentials(EMAILS[1], SANDBOX_PASSWORD, 1) == 1
    assert await customers.validate_credentials(EMAILS[2], SANDBOX_PASSWORD, 1) == 2
    assert await customers.validate_credentials(EMAILS[1], "wrong", 1) is None
    assert await customers.validate_credentials("nobody@example.com", SANDBOX_PASSWORD, 1) is None
    assert await customers.validate_credentials(EMAILS[1], SANDBOX_PASSWORD, 7) is None
    sent = [r for r in sandbox.requests if r.path.endswith("/validate-credentials")]
    assert len(sent) == 5 and sent[0].method == "POST"


async def test_customers_and_their_wallets(accounts) -> None:
    _, customers = accounts
    assert await customers.get_customer(1) == Shopper(1, "jane@example.com", "Jane", "Doe")
    assert await customers.get_customer(999) is None
    wallet = await customers.stored_instruments(1)
    assert {type(i) for i in wallet} == {StoredCard, StoredPayPalAccount}
    assert all(i.payment_method_id is None for i in wallet)  # a wallet names no method
    assert await customers.stored_instruments(2) == []
    with pytest.raises(GatewayError) as raised:
        await customers.stored_instruments(999)
    assert raised.value.code is ErrorCode.NOT_FOUND


async def test_a_cart_changes_hands_with_update_cart(accounts) -> None:
    client, customers = accounts
    cart, _ = await client.create_cart([CartLine(111, 1)], None, None, "USD")
    assert await customers.cart_customer_id(cart.id) == 0
    await customers.assign_cart(cart.id, 2)
    assert await customers.cart_customer_id(cart.id) == 2
    assert await customers.cart_customer_id(str(uuid.uuid4())) is None


async def test_an_upstream_failure_is_not_an_unknown_cart(accounts, sandbox) -> None:
    _, customers = accounts
    sandbox.faults.add(
        method="GET", path=r".*/v3/checkouts/.*", fault=Fault.status(503), times=None
    )
    with pytest.raises(GatewayError) as raised:
        await customers.cart_customer_id(str(uuid.uuid4()))
    assert raised.value.code is ErrorCode.UPSTREAM_UNAVAILABLE


def test_validate_credentials_answers_are_read_strictly() -> None:
    assert parse.valid_customer_id({"is_valid": True, "customer_id": 3}) == 3
    assert parse.valid_customer_id({"is_valid": False, "customer_id": None}) is None
    assert parse.valid_customer_id({"is_valid": True, "customer_id": 0}) is None
    assert parse.valid_customer_id({"is_valid": True, "customer_id": "3"}) is None
    malformed: object
    for malformed in (None, [], {"customer_id": 3}, {"is_valid": "yes"}):
        with pytest.raises(MalformedAnswer):
            parse.valid_customer_id(malformed)
