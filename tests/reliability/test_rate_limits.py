"""BigCommerce's 429s and quota headers: wait when it fits in the deadline, else RATE_LIMITED."""

from __future__ import annotations

from gateway.sandbox import Fault
from tests.flow import no_errors, pay_by_card, unpaid_order
from tests.reliability.reliability_support import METHODS, PAYMENTS, own_gateway, sent


async def test_429_with_reset_headers_is_waited_out(sandbox) -> None:
    async with own_gateway(sandbox) as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="GET", path=METHODS, fault=Fault.rate_limit(reset_ms=300))
        answer = await gateway.run("PaymentMethods", {"orderId": order["id"]})
        assert "errors" not in answer
        assert answer["data"]["paymentMethods"]
        assert sent(sandbox, "GET", METHODS) == 2  # the 429, then the resend after the reset


async def test_429_past_the_deadline_is_rate_limited_and_the_spent_quota_is_not_hammered(
    sandbox,
) -> None:
    async with own_gateway(sandbox, GATEWAY_DEADLINE_S="2") as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(
            method="GET", path=METHODS, fault=Fault.rate_limit(reset_ms=5000, retry_after_s=6)
        )
        answer = await gateway.run("PaymentMethods", {"orderId": order["id"]})
        error = answer["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfterMs"] >= 5000  # the longer of the two waits
        assert sent(sandbox, "GET", METHODS) == 1

        # The quota is known to be spent: the next request is refused without being sent.
        again = await gateway.run("PaymentMethods", {"orderId": order["id"]})
        assert again["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert sent(sandbox, "GET", METHODS) == 1


async def test_429_without_headers_backs_off_then_succeeds(sandbox) -> None:
    async with own_gateway(sandbox) as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(
            method="GET", path=METHODS, fault=Fault.rate_limit(with_headers=False), times=2
        )
        answer = await gateway.run("PaymentMethods", {"orderId": order["id"]})
        assert answer["data"]["paymentMethods"]
        assert sent(sandbox, "GET", METHODS) == 3


async def test_a_rate_limited_payment_is_resent_and_charged_once(sandbox) -> None:
    async with own_gateway(sandbox) as gateway:
        order = await unpaid_order(gateway)
        sandbox.clear_requests()
        sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.rate_limit(reset_ms=200))
        paid = no_errors(await pay_by_card(gateway, order["id"]))
        assert paid["payment"]["status"] == "SUCCESS"
        assert sent(sandbox, "POST", PAYMENTS) == 2  # the 429 charged nothing
        assert sandbox.state.orders[order["number"]].status_id == 11
