"""Payments as a shopper sees them, beyond the upstream refusals (test_upstream_outcomes):
what is asked of the payments host, what is read again afterwards, what waits for what.
Each case reads the sandbox's request record."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from gateway.sandbox import Fault
from gateway.sandbox import catalog as sandbox_catalog
from gateway.sandbox import payments as sandbox_payments
from gateway.sandbox.state import Transaction
from tests.flow import GOOD_CARD, no_errors, pay_by_card, shopper_headers, sign_in, unpaid_order
from tests.gateway.test_upstream_outcomes import (
    ORDER_READ,
    PAYMENTS,
    calls,
    pay_stored,
    processor_error,
    stored,
)
from tests.observability.observability_support import observed_gateway
from tests.reliability.reliability_support import own_gateway

METHODS = r".*/v3/payments/methods"
ACCESS_TOKENS = r".*/v3/payments/access_tokens"
TRANSACTIONS = r"/stores/[^/]+/v3/orders/\d+/transactions"
# Two gateways with one secret: replicas, each reading order ids the other made.
REPLICAS_SECRET = "replicas-share-this-secret"


async def pay_saving(gateway: Any, order_id: str, token: str, save: bool) -> dict[str, Any]:
    answer = await gateway.run(
        "PayWithCard",
        {
            "input": {
                "orderId": order_id,
                "paymentMethodId": "braintree.card",
                "card": GOOD_CARD,
                "saveInstrument": save,
                "idempotencyKey": f"pay-{uuid.uuid4()}",
            }
        },
        shopper_headers(token),
    )
    return answer["data"]["payWithCard"]  # type: ignore[no-any-return]


async def test_the_shoppers_choice_to_save_the_card_reaches_the_payments_host(gateway) -> None:
    shopper = await sign_in(gateway, 1)
    vault = dict(gateway.sandbox.state.instruments)
    try:
        for save in (True, False):
            order = await unpaid_order(gateway, shopper)
            gateway.sandbox.clear_requests()
            no_errors(await pay_saving(gateway, order["id"], shopper, save))
            sent = [r.json() for r in gateway.sandbox.requests if r.host == "payments"]
            assert len(sent) == 1
            assert sent[0]["payment"]["save_instrument"] is save
    finally:
        # The saved card would stay in customer 1's wallet for every later test.
        gateway.sandbox.state.instruments.clear()
        gateway.sandbox.state.instruments.update(vault)


async def test_a_reconciled_payment_drops_the_orders_cached_methods(gateway) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    await gateway.run("PaymentMethods", {"orderId": order["id"]})  # now cached
    fault = Fault.status_after_effect(500, processor_error(500, 10000))
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=fault)
    paid = await pay_by_card(gateway, order["id"])
    assert paid["errors"] == [] and paid["payment"] is None  # reconciled: the order is paid
    assert paid["order"]["statusId"] == 11
    sandbox.clear_requests()
    await gateway.run("PaymentMethods", {"orderId": order["id"]})
    assert calls(sandbox, "GET", METHODS) != []  # read afresh, not the unpaid order's answer


async def test_an_unknown_outcome_whose_transactions_cannot_be_read_claims_no_charge(
    gateway,
) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.faults.add(
        method="POST", path=PAYMENTS, fault=Fault.status(500, processor_error(500, 10000))
    )
    sandbox.faults.add(method="GET", path=TRANSACTIONS, fault=Fault.status(500), times=None)
    paid = await pay_by_card(gateway, order["id"])
    assert [e["code"] for e in paid["errors"]] == ["PAYMENT_OUTCOME_UNKNOWN"]
    # Nothing says money was taken, so the answer does not say so either.
    assert paid["errors"][0]["message"].startswith("The payment's outcome is not known yet.")
    assert calls(sandbox, "GET", TRANSACTIONS) != []
    assert len(calls(sandbox, "POST", PAYMENTS)) == 1


async def test_payments_for_two_orders_do_not_wait_for_each_other(gateway) -> None:
    first, second = await unpaid_order(gateway), await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.clear_requests()
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(1.0))  # the first only
    slow = asyncio.ensure_future(pay_by_card(gateway, first["id"]))
    for _ in range(500):  # until the first charge is at the payments host (5 s at most)
        if calls(sandbox, "POST", PAYMENTS):
            break
        await asyncio.sleep(0.01)
    quick = await pay_by_card(gateway, second["id"])
    assert no_errors(quick)["order"]["statusId"] == 11
    assert no_errors(await slow)["order"]["statusId"] == 11
    # The second order was charged and read back while the first charge was still out.
    charged = calls(sandbox, "POST", PAYMENTS)
    assert len(charged) == 2
    second_read = [
        i
        for i in calls(sandbox, "GET", ORDER_READ)
        if sandbox.requests[i].path.endswith(f"/{second['number']}") and i > charged[1]
    ]
    first_read = [
        i
        for i in calls(sandbox, "GET", ORDER_READ)
        if sandbox.requests[i].path.endswith(f"/{first['number']}") and i > charged[0]
    ]
    assert second_read and first_read
    assert second_read[-1] < first_read[-1]


async def test_a_pending_transaction_is_not_reported_as_money_taken(gateway) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    stored = sandbox.state.orders[order["number"]]
    # The processor recorded the attempt as pending: nothing says the money was taken.
    sandbox.state.transactions.setdefault(stored.id, []).append(
        Transaction(
            id=sandbox.state.next_transaction_id(),
            order_id=stored.id,
            event="pending",
            method="credit_card",
            amount=Decimal("1.00"),
            currency="USD",
            gateway="braintree",
            payment_method_id="braintree.card",
            created=datetime.now(UTC),
        )
    )
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.status(502))
    paid = await pay_by_card(gateway, order["id"])
    assert [e["code"] for e in paid["errors"]] == ["PAYMENT_OUTCOME_UNKNOWN"]
    assert paid["errors"][0]["message"].startswith("The payment's outcome is not known yet.")
    assert calls(sandbox, "GET", TRANSACTIONS) != []


@pytest.fixture
def visa_and_mastercard_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's card method takes Visa and Mastercard only (a store setting)."""
    monkeypatch.setattr(sandbox_catalog, "CARD_BRANDS", ("VISA", "MASTERCARD"))


@pytest.mark.usefixtures("visa_and_mastercard_only")
async def test_a_brand_the_card_method_does_not_take_is_refused_before_any_charge(
    gateway,
) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    amex = {**GOOD_CARD, "number": "378282246310005", "verificationValue": "1234"}
    refused = await pay_by_card(gateway, order["id"], amex)
    assert [(e["code"], e["field"], e["message"]) for e in refused["errors"]] == [
        (
            "PAYMENT_METHOD_NOT_ACCEPTED",
            ["input", "paymentMethodId"],
            "This payment method does not take this card.",
        )
    ]
    assert calls(gateway.sandbox, "POST", PAYMENTS) == []
    # A method the store does not offer for the order says so.
    unknown = await gateway.run(
        "PayWithCard",
        {"input": {"orderId": order["id"], "paymentMethodId": "no.such.method", "card": GOOD_CARD}},
    )
    assert [e["message"] for e in unknown["data"]["payWithCard"]["errors"]] == [
        "This payment method is not accepted for the order."
    ]
    assert calls(gateway.sandbox, "POST", PAYMENTS) == []
    # A card of no brand the gateway knows is left to the store to judge: it is sent.
    other = {**GOOD_CARD, "number": "3530111333300000"}
    await pay_by_card(gateway, order["id"], other)
    assert len(calls(gateway.sandbox, "POST", PAYMENTS)) == 1


async def test_a_stored_card_pays_without_its_code_when_the_method_does_not_ask(
    gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered = sandbox_payments._methods

    def no_code_for_stored_cards(state: Any, customer_id: int) -> list[dict[str, Any]]:
        methods = offered(state, customer_id)
        for method in methods:
            for instrument in method["supported_instruments"]:
                if instrument["instrument_type"] == "STORED_CARD":
                    instrument["verification_value_required"] = False
        return methods

    monkeypatch.setattr(sandbox_payments, "_methods", no_code_for_stored_cards)
    shopper = await sign_in(gateway, 1)
    order = await unpaid_order(gateway, shopper)
    token = await stored(gateway, shopper, order["id"], "braintree.card", "StoredCard")
    gateway.sandbox.clear_requests()
    # The method does not ask for the stored card's code, so the gateway does not refuse
    # the payment itself: it goes to the payments host, which has the last word (this
    # sandbox's processor still wants a code and answers VALIDATION).
    await pay_stored(gateway, shopper, order["id"], token=token)
    sent = [r.json() for r in gateway.sandbox.requests if r.host == "payments"]
    assert len(sent) == 1 and sent[0]["payment"]["instrument"]["token"] == token


class KeyedClient:
    """One frontend of several, each with its own client key (Authorization: Bearer)."""

    def __init__(self, gateway: Any, key: str) -> None:
        self.gateway = gateway
        self.sandbox = gateway.sandbox
        self._auth = {"Authorization": f"Bearer {key}"}

    async def run(
        self, operation: str, variables: dict[str, Any], headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return await self.gateway.run(operation, variables, {**(headers or {}), **self._auth})  # type: ignore[no-any-return]


async def test_two_clients_using_the_same_idempotency_key_each_get_their_own_payment(
    sandbox,
) -> None:
    first_key, second_key = "a" * 32, "b" * 32
    async with observed_gateway(sandbox, GATEWAY_CLIENT_KEYS=f"{first_key},{second_key}") as seen:
        first, second = KeyedClient(seen.gateway, first_key), KeyedClient(seen.gateway, second_key)
        orders = [await unpaid_order(first), await unpaid_order(second)]
        sandbox.clear_requests()
        key = f"pay-{uuid.uuid4()}"  # both frontends happen to make the same key
        paid_first = await pay_by_card(first, orders[0]["id"], key=key)
        paid_second = await pay_by_card(second, orders[1]["id"], key=key)
    assert no_errors(paid_first)["order"]["number"] == orders[0]["number"]
    assert no_errors(paid_second)["order"]["number"] == orders[1]["number"]
    assert len(calls(sandbox, "POST", PAYMENTS)) == 2  # each client's payment was made


async def test_a_security_code_given_with_a_paypal_account_is_not_sent(gateway) -> None:
    shopper = await sign_in(gateway, 1)
    order = await unpaid_order(gateway, shopper)
    token = await stored(gateway, shopper, order["id"], "braintree.paypal", "StoredPayPalAccount")
    gateway.sandbox.clear_requests()
    await pay_stored(
        gateway,
        shopper,
        order["id"],
        token=token,
        paymentMethodId="braintree.paypal",
        verificationValue="123",
    )
    sent = [r.json() for r in gateway.sandbox.requests if r.host == "payments"]
    assert len(sent) == 1
    instrument = sent[0]["payment"]["instrument"]
    assert instrument["token"] == token
    assert "verification_value" not in instrument  # a card's code goes with cards only


async def test_a_stored_card_payment_is_counted_under_its_method(sandbox) -> None:
    async with observed_gateway(sandbox) as seen:
        gateway = seen.gateway
        shopper = await sign_in(gateway, 1)
        order = await unpaid_order(gateway, shopper)
        token = await stored(gateway, shopper, order["id"], "braintree.card", "StoredCard")
        paid = await pay_stored(gateway, shopper, order["id"], token=token, verificationValue="123")
        assert no_errors(paid)["order"]["statusId"] == 11
        metrics = await seen.metrics()
    labels = (("method", "braintree.card"), ("outcome", "approved"))
    assert metrics[("gateway_payments_total", labels)] == 1


async def test_an_order_the_store_no_longer_has_is_not_found_at_its_order_id(sandbox) -> None:
    # Paid through a replica that has not seen the order: no remembered owner, so it reads it.
    async with own_gateway(sandbox, GATEWAY_SECRET=REPLICAS_SECRET) as maker:
        order = await unpaid_order(maker)
    async with own_gateway(sandbox, GATEWAY_SECRET=REPLICAS_SECRET) as replica:
        sandbox.clear_requests()
        sandbox.faults.add(method="GET", path=ORDER_READ, fault=Fault.status(404))
        paid = await pay_by_card(replica, order["id"])
    # The words and the place of an unknown id: the shopper fixes the id, not the card.
    assert [(e["code"], e["message"], e["field"]) for e in paid["errors"]] == [
        ("NOT_FOUND", "Not found.", ["input", "orderId"])
    ]
    assert calls(sandbox, "GET", ORDER_READ) != []  # the answer came from the order read
    assert calls(sandbox, "POST", ACCESS_TOKENS) == [] and calls(sandbox, "POST", PAYMENTS) == []


async def test_an_order_the_store_cannot_read_now_is_unavailable_not_unknown(sandbox) -> None:
    # Gateways of their own: the failed reads must not open the shared gateway's breaker.
    # The order is paid through a replica that has not seen it: no remembered owner, a read.
    async with own_gateway(sandbox, GATEWAY_SECRET=REPLICAS_SECRET) as maker:
        order = await unpaid_order(maker)
    async with own_gateway(
        sandbox, GATEWAY_SECRET=REPLICAS_SECRET, GATEWAY_DEADLINE_S="2"
    ) as gateway:
        sandbox.clear_requests()
        sandbox.faults.add(method="GET", path=ORDER_READ, fault=Fault.status(500), times=None)
        paid = await pay_by_card(gateway, order["id"])
        sandbox.faults.clear()
        # Not "no such order": the shopper may try again once the store answers.
        assert [e["code"] for e in paid["errors"]] == ["UPSTREAM_UNAVAILABLE"]
        assert calls(sandbox, "POST", PAYMENTS) == []
        assert no_errors(await pay_by_card(gateway, order["id"]))["order"]["statusId"] == 11


async def test_one_idempotency_key_for_a_card_and_a_stored_card_payment_pays_both(
    gateway,
) -> None:
    # Keys are scoped to the mutation: a client that numbers its requests per mutation
    # may send the same key to payWithCard and payWithStoredCard.
    shopper = await sign_in(gateway, 1)
    by_card, by_stored_card = (
        await unpaid_order(gateway, shopper),
        await unpaid_order(gateway, shopper),
    )
    token = await stored(gateway, shopper, by_stored_card["id"], "braintree.card", "StoredCard")
    gateway.sandbox.clear_requests()
    key = f"pay-{uuid.uuid4()}"
    first = await pay_by_card(gateway, by_card["id"], key=key, token=shopper)
    second = await pay_stored(
        gateway,
        shopper,
        by_stored_card["id"],
        token=token,
        verificationValue="123",
        idempotencyKey=key,
    )
    assert no_errors(first)["order"]["number"] == by_card["number"]
    assert no_errors(second)["order"]["number"] == by_stored_card["number"]
    assert len(calls(gateway.sandbox, "POST", PAYMENTS)) == 2


async def test_a_replica_that_has_not_seen_an_order_lets_only_its_shopper_reach_it(
    sandbox,
) -> None:
    # Another replica made the orders: this one remembers no owner, so it reads each order
    # and decides from the answer who may reach it (the owner, no one else).
    async with own_gateway(sandbox, GATEWAY_SECRET=REPLICAS_SECRET) as maker:
        owner = await sign_in(maker, 1)
        orders = [await unpaid_order(maker, owner) for _ in range(3)]
    async with own_gateway(sandbox, GATEWAY_SECRET=REPLICAS_SECRET) as replica:
        someone_else = await sign_in(replica, 2)
        shopper = await sign_in(replica, 1)
        sandbox.clear_requests()
        refused = await pay_by_card(replica, orders[0]["id"], token=someone_else)
        assert [(e["code"], e["message"], e["field"]) for e in refused["errors"]] == [
            ("NOT_FOUND", "Not found.", ["input", "orderId"])
        ]
        assert calls(sandbox, "GET", ORDER_READ) != [] and calls(sandbox, "POST", PAYMENTS) == []
        # Hers: the methods and her stored instruments, then a payment, each after a read.
        sandbox.clear_requests()
        token = await stored(replica, shopper, orders[1]["id"], "braintree.card", "StoredCard")
        assert calls(sandbox, "GET", ORDER_READ) != []
        sandbox.clear_requests()
        paid = await pay_by_card(replica, orders[2]["id"], token=shopper)
        assert no_errors(paid)["order"]["statusId"] == 11
        assert calls(sandbox, "GET", ORDER_READ)[0] < calls(sandbox, "POST", PAYMENTS)[0]
        paid = await pay_stored(
            replica, shopper, orders[1]["id"], token=token, verificationValue="123"
        )
        assert no_errors(paid)["order"]["statusId"] == 11


async def test_a_stored_card_offered_for_a_guests_order_reads_no_wallet(gateway) -> None:
    # A guest's order has no instruments (an instrument pays only its own customer's
    # orders): the card is refused without asking the store for the order's instruments.
    sandbox = gateway.sandbox
    shopper = await sign_in(gateway, 1)
    hers, guests = await unpaid_order(gateway, shopper), await unpaid_order(gateway)
    token = await stored(gateway, shopper, hers["id"], "braintree.card", "StoredCard")
    await gateway.run("PaymentMethods", {"orderId": guests["id"]}, shopper_headers(shopper))
    sandbox.clear_requests()
    refused = await pay_stored(gateway, shopper, guests["id"], token=token, verificationValue="123")
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("STORED_INSTRUMENT_NOT_FOUND", ["input", "token"])
    ]
    assert calls(sandbox, "GET", METHODS) == []  # the order's instruments are read there
    assert calls(sandbox, "POST", ACCESS_TOKENS) == [] and calls(sandbox, "POST", PAYMENTS) == []
