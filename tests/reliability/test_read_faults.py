"""A failing read is retried (full jitter, bounded) and answered within the deadline."""

from __future__ import annotations

import time
from typing import Any

from gateway.sandbox import Fault
from tests.flow import checkout_ready_to_order
from tests.live_gateway import LiveGateway
from tests.reliability.reliability_support import CHECKOUT, own_gateway, sent


async def _checkout(gateway: LiveGateway, checkout_id: str) -> dict[str, Any]:
    return await gateway.run("Checkout", {"id": checkout_id})


async def test_500_html_502_and_drop_are_retried_then_succeed(sandbox) -> None:
    async with own_gateway(sandbox) as gateway:
        checkout = await checkout_ready_to_order(gateway)
        for fault in (Fault.status(500), Fault.html_502(), Fault.drop()):
            sandbox.clear_requests()
            sandbox.faults.add(method="GET", path=CHECKOUT, fault=fault, times=1)
            answer = await _checkout(gateway, checkout["id"])
            assert "errors" not in answer, (fault, answer)
            assert answer["data"]["checkout"]["id"] == checkout["id"]
            assert sent(sandbox, "GET", CHECKOUT) == 2, fault  # the failure, then the retry


async def test_a_read_that_keeps_failing_is_upstream_unavailable_within_the_deadline(
    sandbox,
) -> None:
    async with own_gateway(sandbox, GATEWAY_DEADLINE_S="2") as gateway:
        checkout = await checkout_ready_to_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="GET", path=CHECKOUT, fault=Fault.html_502(), times=None)
        started = time.monotonic()
        answer = await _checkout(gateway, checkout["id"])
        assert time.monotonic() - started < 2.5  # generous: within the deadline
        assert answer["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert "<html" not in str(answer).lower()
        assert sent(sandbox, "GET", CHECKOUT) == 3  # the attempt cap, no more
