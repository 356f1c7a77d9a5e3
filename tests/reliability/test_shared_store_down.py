"""With the shared store (Redis) unreachable, requests fail as payload errors and pay nothing."""

from __future__ import annotations

import uuid

from tests.flow import checkout_ready_to_order, pay_by_card, unpaid_order
from tests.reliability.reliability_support import PAYMENTS, own_gateway, sent

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1
SECRET = "shared-store-down-secret-0123456789"  # both gateways read the same order ids


async def test_create_order_and_pay_answer_upstream_unavailable(sandbox) -> None:
    async with own_gateway(sandbox, GATEWAY_SECRET=SECRET) as healthy:
        order = await unpaid_order(healthy)
        checkout = await checkout_ready_to_order(healthy)
    async with own_gateway(sandbox, GATEWAY_SECRET=SECRET, GATEWAY_REDIS_URL=NOWHERE) as gateway:
        sandbox.clear_requests()
        created = await gateway.run(
            "CreateOrder",
            {"input": {"checkoutId": checkout["id"], "idempotencyKey": f"o-{uuid.uuid4()}"}},
        )
        payload = created["data"]["createOrder"]
        assert [e["code"] for e in payload["errors"]] == ["UPSTREAM_UNAVAILABLE"]
        paid = await pay_by_card(gateway, order["id"])
        assert [e["code"] for e in paid["errors"]] == ["UPSTREAM_UNAVAILABLE"]
        assert sent(sandbox, "POST", PAYMENTS) == 0
        assert "shared store" in paid["errors"][0]["message"]
