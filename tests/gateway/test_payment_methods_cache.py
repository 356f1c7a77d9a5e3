"""Accepted payment methods are cached per order: single-flight, TTL, dropped once paid."""

from __future__ import annotations

import asyncio

from tests.flow import no_errors, pay_by_card, unpaid_order


def method_calls(sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path.endswith("/v3/payments/methods"))


async def test_hundred_concurrent_queries_make_one_upstream_call(gateway) -> None:
    order = await unpaid_order(gateway)
    gateway.sandbox.clear_requests()
    answers = await asyncio.gather(
        *(gateway.run("PaymentMethods", {"orderId": order["id"]}) for _ in range(100))
    )
    assert all("errors" not in a and a["data"]["paymentMethods"] for a in answers)
    assert len({str(a["data"]) for a in answers}) == 1
    assert method_calls(gateway.sandbox) == 1

    again = await gateway.run("PaymentMethods", {"orderId": order["id"]})
    assert again["data"] == answers[0]["data"]
    assert method_calls(gateway.sandbox) == 1  # within the TTL: none


async def test_failures_are_not_cached(gateway) -> None:
    order = await unpaid_order(gateway)
    sandbox = gateway.sandbox
    sandbox.faults.add(method="GET", path=r".*/v3/payments/methods", times=None, fault=_status(500))
    failed = await gateway.run("PaymentMethods", {"orderId": order["id"]})
    assert failed["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert failed["data"]["paymentMethods"] is None
    sandbox.faults.clear()
    ok = await gateway.run("PaymentMethods", {"orderId": order["id"]})
    assert ok["data"]["paymentMethods"]


async def test_entry_is_dropped_once_the_order_is_paid(gateway) -> None:
    order = await unpaid_order(gateway)
    await gateway.run("PaymentMethods", {"orderId": order["id"]})
    no_errors(await pay_by_card(gateway, order["id"]))
    gateway.sandbox.clear_requests()
    await gateway.run("PaymentMethods", {"orderId": order["id"]})
    assert method_calls(gateway.sandbox) == 1


def _status(code: int):
    from gateway.sandbox import Fault

    return Fault.status(code)
