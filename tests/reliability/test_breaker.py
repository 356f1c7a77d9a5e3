"""An upstream that keeps failing opens the breaker: fail fast, then probe, then close."""

from __future__ import annotations

import asyncio

from gateway.sandbox import Fault

from flow import checkout_ready_to_order
from reliability_support import CHECKOUT, own_gateway, sent


async def test_breaker_opens_fails_fast_and_recovers(sandbox) -> None:
    env = {"GATEWAY_BREAKER_FAILURES": "3", "GATEWAY_BREAKER_COOLDOWN_S": "0.5"}
    async with own_gateway(sandbox, **env) as gateway:
        checkout = await checkout_ready_to_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="*", path=r".*", fault=Fault.status(503), times=None)
        down = await gateway.run("Checkout", {"id": checkout["id"]})
        assert down["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert sent(sandbox, "GET", CHECKOUT) == 3  # three failures in a row: open

        sandbox.clear_requests()
        for _ in range(3):
            fast = await gateway.run("Checkout", {"id": checkout["id"]})
            assert fast["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert sandbox.requests == []  # open: nothing sent

        sandbox.faults.clear()  # the upstream comes back
        await asyncio.sleep(0.6)  # past the cool-down: the next call is the probe
        back = await gateway.run("Checkout", {"id": checkout["id"]})
        assert "errors" not in back
        assert back["data"]["checkout"]["id"] == checkout["id"]
        again = await gateway.run("Checkout", {"id": checkout["id"]})
        assert "errors" not in again
        assert sent(sandbox, "GET", CHECKOUT) == 2
