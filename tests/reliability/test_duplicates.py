"""Double clicks: one payment per idempotency key, one order per checkout."""

from __future__ import annotations

import asyncio
import uuid

from gateway.sandbox import Fault
from tests.flow import GOOD_CARD, checkout_ready_to_order, no_errors, pay_by_card, unpaid_order
from tests.reliability.reliability_support import PAYMENTS, own_gateway, sent

ORDERS = r".*/v3/checkouts/[^/]+/orders"


async def test_same_key_concurrently_pays_once_and_answers_alike(sandbox) -> None:
    async with own_gateway(sandbox) as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(0.3))
        key = f"pay-{uuid.uuid4()}"
        first, second = await asyncio.gather(
            pay_by_card(gateway, order["id"], key=key), pay_by_card(gateway, order["id"], key=key)
        )
        assert no_errors(first) == no_errors(second)
        assert first["payment"]["status"] == "SUCCESS"
        assert sent(sandbox, "POST", PAYMENTS) == 1


async def test_same_key_with_another_card_is_reused_and_not_sent(sandbox) -> None:
    async with own_gateway(sandbox) as gateway:
        order = await unpaid_order(gateway)
        key = f"pay-{uuid.uuid4()}"
        no_errors(await pay_by_card(gateway, order["id"], key=key))
        sandbox.clear_requests()
        other = {**GOOD_CARD, "number": "4242424242424242"}
        reused = await pay_by_card(gateway, order["id"], card=other, key=key)
        assert [e["code"] for e in reused["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
        assert "4242" not in str(reused)
        assert sent(sandbox, "POST", PAYMENTS) == 0


async def test_create_order_twice_without_a_key_makes_one_order(sandbox) -> None:
    async with own_gateway(sandbox) as gateway:
        checkout = await checkout_ready_to_order(gateway)
        sandbox.clear_requests()
        answers = []
        for _ in range(2):
            created = await gateway.run("CreateOrder", {"input": {"checkoutId": checkout["id"]}})
            answers.append(no_errors(created["data"]["createOrder"])["order"])
        assert answers[0]["number"] == answers[1]["number"]
        assert sent(sandbox, "POST", ORDERS) == 1


async def test_a_payment_waiting_past_its_deadline_for_another_is_told_to_read_the_order(
    sandbox, redis_url: str
) -> None:
    # Two replicas share the per-order payment lock in Redis; the second has the shorter
    # deadline, so the first payment (a slow charge) outlasts its wait.
    shared = {
        "GATEWAY_REDIS_URL": redis_url,
        "GATEWAY_SECRET": "replicas-share-it-0123456789abcdef",
    }
    async with (
        own_gateway(sandbox, GATEWAY_DEADLINE_S="5", **shared) as first,
        own_gateway(sandbox, GATEWAY_DEADLINE_S="1", **shared) as second,
    ):
        order = await unpaid_order(first)
        sandbox.clear_requests()
        sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(2.0))
        slow = asyncio.ensure_future(pay_by_card(first, order["id"]))
        for _ in range(500):  # until the first charge is at the payments host (5 s at most)
            if sent(sandbox, "POST", PAYMENTS):
                break
            await asyncio.sleep(0.01)
        busy = await pay_by_card(second, order["id"])
        assert [(e["code"], e["message"]) for e in busy["errors"]] == [
            (
                "CONFLICT",
                "Another payment for this order is in progress; read the order before paying "
                "again.",
            )
        ]
        assert no_errors(await slow)["order"]["statusId"] == 11
        assert sent(sandbox, "POST", PAYMENTS) == 1  # the waiting payment was never sent
