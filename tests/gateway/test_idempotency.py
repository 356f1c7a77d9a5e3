"""Idempotency keys: one upstream effect per key, the first answer replayed."""

from __future__ import annotations

import asyncio
import uuid

from tests.flow import GOOD_CARD, checkout_ready_to_order, no_errors, pay_by_card, unpaid_order


def payments_sent(sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.host == "payments")


async def test_same_key_twice_pays_once_and_answers_the_same(gateway) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    key = f"pay-{uuid.uuid4()}"
    first = no_errors(await pay_by_card(gateway, order["id"], key=key))
    second = await pay_by_card(gateway, order["id"], key=key)
    assert second == first
    assert payments_sent(gateway.sandbox) == 1


async def test_concurrent_duplicates_share_one_payment(gateway) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    key = f"pay-{uuid.uuid4()}"
    answers = await asyncio.gather(*(pay_by_card(gateway, order["id"], key=key) for _ in range(5)))
    assert all(a == answers[0] for a in answers)
    assert no_errors(answers[0])["order"]["statusId"] == 11
    assert payments_sent(gateway.sandbox) == 1


async def test_same_key_with_another_card_is_reused(gateway) -> None:
    order = await unpaid_order(gateway)
    key = f"pay-{uuid.uuid4()}"
    await pay_by_card(gateway, order["id"], key=key)
    other = await pay_by_card(
        gateway, order["id"], {**GOOD_CARD, "number": "4242424242424242"}, key=key
    )
    assert [e["code"] for e in other["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert "4242424242424242" not in str(other)


async def test_refused_before_upstream_keeps_nothing(gateway) -> None:
    order = await unpaid_order(gateway)
    key = f"pay-{uuid.uuid4()}"
    bad = await pay_by_card(
        gateway, order["id"], {**GOOD_CARD, "number": "4111111111111112"}, key=key
    )
    assert bad["errors"][0]["code"] == "INVALID_CARD"
    good = await pay_by_card(gateway, order["id"], key=key)  # same key, corrected input
    assert no_errors(good)["order"]["statusId"] == 11


async def test_create_order_key_returns_the_same_order(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    key = f"order-{uuid.uuid4()}"
    answers = [
        await gateway.run(
            "CreateOrder", {"input": {"checkoutId": checkout["id"], "idempotencyKey": key}}
        )
        for _ in range(2)
    ]
    orders = [no_errors(a["data"]["createOrder"])["order"] for a in answers]
    assert orders[0] == orders[1]
    creates = [
        r for r in gateway.sandbox.requests if r.path.endswith("/orders") and r.method == "POST"
    ]
    assert len(creates) == 1


async def test_create_order_without_key_reuses_the_unpaid_order(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    answers = [
        await gateway.run("CreateOrder", {"input": {"checkoutId": checkout["id"]}})
        for _ in range(2)
    ]
    orders = [no_errors(a["data"]["createOrder"])["order"] for a in answers]
    assert orders[0]["number"] == orders[1]["number"]
    creates = [
        r for r in gateway.sandbox.requests if r.path.endswith("/orders") and r.method == "POST"
    ]
    assert len(creates) == 1


async def test_concurrent_payments_without_keys_charge_once(gateway) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    cards = [GOOD_CARD, {**GOOD_CARD, "number": "4242424242424242"}]
    answers = await asyncio.gather(*(
        gateway.run("PayWithCard", {"input": {
            "orderId": order["id"], "paymentMethodId": "braintree.card", "card": card}})
        for card in cards
    ))  # fmt: skip
    payloads = [a["data"]["payWithCard"] for a in answers]
    codes = sorted(e["code"] for p in payloads for e in p["errors"])
    assert codes == ["ORDER_NOT_PAYABLE"]  # the second found the order paid
    assert payments_sent(gateway.sandbox) == 1


async def test_concurrent_create_orders_without_keys_make_one_order(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    gateway.sandbox.clear_requests()
    answers = await asyncio.gather(*(
        gateway.run("CreateOrder", {"input": {"checkoutId": checkout["id"]}}) for _ in range(3)
    ))  # fmt: skip
    numbers = {no_errors(a["data"]["createOrder"])["order"]["number"] for a in answers}
    assert len(numbers) == 1
    creates = [
        r for r in gateway.sandbox.requests if r.path.endswith("/orders") and r.method == "POST"
    ]
    assert len(creates) == 1
