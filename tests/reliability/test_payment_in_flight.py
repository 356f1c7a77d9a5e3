"""A payment still at the payments host when its request's deadline passed keeps its order's
lock: no other payment for that order is sent until it ends; then the order says what to do.

The payment POST is delayed (sandbox fault) past the gateway's deadline (2 s) but within the
payment's own timeout (20 s): the first request answers PAYMENT_OUTCOME_UNKNOWN while the
payment goes on. A second payment waits for the order within its own deadline (2 s more),
well before the slow one ends.
"""

from __future__ import annotations

import uuid
from typing import Any

from redis.asyncio import Redis

from gateway.sandbox import Fault, SandboxServer
from tests.flow import GOOD_CARD, no_errors, pay_by_card, unpaid_order
from tests.reliability.reliability_support import PAYMENTS, own_gateway, sent

ORDER_READ = r"/stores/[^/]+/v2/orders/\d+"
SLOW_S = 6.0  # the payments host's delay: past one deadline and the next payment's wait
DECLINING = {**GOOD_CARD, "number": "4000000000000002"}
BUSY = (
    "CONFLICT",
    "Another payment for this order is in progress; read the order before paying again.",
)


def codes(answer: dict[str, Any]) -> list[str]:
    return [e["code"] for e in answer["errors"]]


async def settled(gateway: Any, order_id: str, key: str, card: dict[str, Any]) -> dict[str, Any]:
    """The first key's answer once its payment ended (a replay waits for the record)."""
    for _ in range(10):
        answer = await pay_by_card(gateway, order_id, card, key=key)
        if codes(answer) != ["IDEMPOTENCY_IN_PROGRESS"]:
            return answer
    raise AssertionError("the first payment never ended")


async def refused_while_in_flight(
    sandbox: SandboxServer, first: Any, second: Any, card: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Pay on ``first`` (its answer comes at the deadline), then again with another key on
    ``second``: refused, and nothing more reaches the payments host."""
    order = await unpaid_order(first)
    sandbox.clear_requests()
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(SLOW_S))
    key = f"pay-{uuid.uuid4()}"
    late = await pay_by_card(first, order["id"], card, key=key)
    assert codes(late) == ["PAYMENT_OUTCOME_UNKNOWN"]
    assert late["order"]["number"] == order["number"] and late["order"]["statusId"] == 0
    assert sent(sandbox, "POST", PAYMENTS) == 1
    busy = await pay_by_card(second, order["id"])  # another key, the first still in flight
    assert [(e["code"], e["message"]) for e in busy["errors"]] == [BUSY]
    assert sent(sandbox, "POST", PAYMENTS) == 1  # the second was never sent
    return order, key


async def test_a_second_payment_waits_for_one_in_flight_then_reads_the_paid_order(
    sandbox,
) -> None:
    async with own_gateway(sandbox, GATEWAY_DEADLINE_S="2") as gateway:
        order, key = await refused_while_in_flight(sandbox, gateway, gateway, GOOD_CARD)
        # The first payment ends and records its outcome: its key now answers it.
        paid = no_errors(await settled(gateway, order["id"], key, GOOD_CARD))
        assert paid["payment"]["status"] == "SUCCESS" and paid["order"]["statusId"] == 11
        # Another key now: the order is paid, so nothing is sent to the payments host.
        again = await pay_by_card(gateway, order["id"])
        assert codes(again) == ["ORDER_NOT_PAYABLE"]
        assert sent(sandbox, "POST", PAYMENTS) == 1
        assert sandbox.state.orders[order["number"]].status_id == 11


async def test_after_a_declined_payment_in_flight_the_order_may_be_paid(sandbox) -> None:
    async with own_gateway(sandbox, GATEWAY_DEADLINE_S="2") as gateway:
        order, key = await refused_while_in_flight(sandbox, gateway, gateway, DECLINING)
        declined = await settled(gateway, order["id"], key, DECLINING)
        assert codes(declined) == ["PAYMENT_DECLINED"]
        # The order is still unpaid: a new payment may go.
        paid = no_errors(await pay_by_card(gateway, order["id"]))
        assert paid["payment"]["status"] == "SUCCESS" and paid["order"]["statusId"] == 11
        assert sent(sandbox, "POST", PAYMENTS) == 2


async def test_across_replicas_the_lock_is_held_in_redis_while_the_payment_is_in_flight(
    sandbox, redis_url: str
) -> None:
    shared = {
        "GATEWAY_REDIS_URL": redis_url,
        "GATEWAY_SECRET": "replicas-share-it-0123456789abcdef",
        "GATEWAY_DEADLINE_S": "2",
    }
    client = Redis.from_url(redis_url)
    async with own_gateway(sandbox, **shared) as first, own_gateway(sandbox, **shared) as second:
        try:
            order, key = await refused_while_in_flight(sandbox, first, second, GOOD_CARD)
            # Still in flight: the order's lock and the key's lease outlast the payment's
            # own timeout (20 s), not just the request's deadline.
            locks = [k async for k in client.scan_iter(match="*:lock")]
            assert len(locks) == 2
            assert min([await client.pttl(k) for k in locks]) > 20_000
            paid = no_errors(await settled(second, order["id"], key, GOOD_CARD))
            assert paid["payment"]["status"] == "SUCCESS"
            again = await pay_by_card(second, order["id"])
            assert codes(again) == ["ORDER_NOT_PAYABLE"]
            assert sent(sandbox, "POST", PAYMENTS) == 1
        finally:
            await client.aclose()


async def test_shutdown_lets_a_payment_in_flight_end_and_read_its_order_back(sandbox) -> None:
    async with own_gateway(sandbox, GATEWAY_DEADLINE_S="2") as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(3.0))
        late = await pay_by_card(gateway, order["id"])
        assert codes(late) == ["PAYMENT_OUTCOME_UNKNOWN"]
        # Answered from one read of the order; the gateway stops with the payment in flight.
        assert sent(sandbox, "GET", ORDER_READ) == 1
    # Its connections stayed open until it ended: charged, then the order read back.
    assert sandbox.state.orders[order["number"]].status_id == 11
    assert sent(sandbox, "POST", PAYMENTS) == 1
    assert sent(sandbox, "GET", ORDER_READ) == 2
