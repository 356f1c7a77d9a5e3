"""A payment whose answer is lost or late is never sent again; the order says what happened."""

from __future__ import annotations

import asyncio
import uuid

from gateway.sandbox import Fault
from tests.flow import pay_by_card, unpaid_order
from tests.reliability.reliability_support import PAYMENTS, own_gateway, sent


async def test_payment_taken_but_answer_lost_reads_success_back_from_the_order(sandbox) -> None:
    async with own_gateway(sandbox) as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.drop_after_effect())
        paid = await pay_by_card(gateway, order["id"])
        assert paid["errors"] == []
        assert paid["payment"] is None  # the transaction itself is not known
        assert paid["order"]["statusId"] == 11
        assert sent(sandbox, "POST", PAYMENTS) == 1
        assert sandbox.state.orders[order["number"]].status_id == 11


async def test_payment_slower_than_its_timeout_is_sent_once_and_reconciled(sandbox) -> None:
    async with own_gateway(sandbox, GATEWAY_TIMEOUT_PAYMENT_S="0.3") as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(1.0))
        key = f"pay-{uuid.uuid4()}"
        first = await pay_by_card(gateway, order["id"], key=key)
        # Still being processed upstream when the order was read back: not known yet.
        assert [e["code"] for e in first["errors"]] == ["PAYMENT_OUTCOME_UNKNOWN"]
        assert first["order"]["statusId"] != 11
        assert sent(sandbox, "POST", PAYMENTS) == 1

        await asyncio.sleep(1.0)  # the upstream finishes the slow payment
        again = await pay_by_card(gateway, order["id"], key=key)
        assert again["errors"] == []
        assert again["order"]["statusId"] == 11
        assert sent(sandbox, "POST", PAYMENTS) == 1  # the retry read the order; it did not pay


async def test_a_payment_hanging_past_the_deadline_still_reports_the_order(sandbox) -> None:
    # The payment timeout (20 s) is longer than the deadline (2 s): the payment gets what
    # is left minus a reserve, so the order can still be read back before the answer.
    async with own_gateway(sandbox, GATEWAY_DEADLINE_S="2") as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(4.0))
        late = await pay_by_card(gateway, order["id"])
        assert [e["code"] for e in late["errors"]] == ["PAYMENT_OUTCOME_UNKNOWN"]
        assert late["order"] is not None and late["order"]["number"] == order["number"]
        assert sent(sandbox, "POST", PAYMENTS) == 1
        await asyncio.sleep(2.5)  # let the slow payment finish before the next test
