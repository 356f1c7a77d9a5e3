"""The whole checkout flow over HTTP: the contract's documents, the sandbox store behind."""

from __future__ import annotations

import uuid
from decimal import Decimal

from tests.flow import (
    GOOD_CARD,
    checkout_ready_to_order,
    no_errors,
    pay_by_card,
    shopper_headers,
    sign_in,
    unpaid_order,
)
from tests.graphql_ops import OWN, Operations, shared_dir, strip_comments
from tests.openapi.validate import validate_recorded


def test_own_operations_are_the_contracts() -> None:
    shared_files = shared_dir("operations")
    for name in ("checkout-flow.graphql", "variables.json"):
        assert (OWN / name).read_bytes() == (shared_files / name).read_bytes(), name
    shared = Operations.load(shared_files)
    own = Operations.load()
    assert strip_comments(own.document) == strip_comments(shared.document)
    assert set(own.variables) >= set(shared.variables)


async def test_guest_pays_by_card_and_order_awaits_fulfillment(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)
    assert checkout["billingAddress"]["countryCode"] == "US"
    consignment = checkout["consignments"][0]
    assert consignment["selectedShippingOption"]["id"]
    total = Decimal(checkout["grandTotal"]["amount"])
    parts = [Decimal(checkout[k]["amount"]) for k in ("subtotal", "shippingCostTotal", "taxTotal")]
    assert total == sum(parts)

    created = await gateway.run(
        "CreateOrder",
        {"input": {"checkoutId": checkout["id"], "idempotencyKey": f"order-{uuid.uuid4()}"}},
    )
    order = no_errors(created["data"]["createOrder"])["order"]
    assert order["statusId"] == 0 and order["status"] == "Incomplete"
    assert Decimal(order["total"]["amount"]) == total
    assert str(order["number"]) not in order["id"]

    methods = (await gateway.run("PaymentMethods", {"orderId": order["id"]}))["data"]
    card_method = next(m for m in methods["paymentMethods"] if m["id"] == "braintree.card")
    assert card_method["type"] == "card" and card_method["testMode"] is True
    assert methods["shopper"] is None  # a guest: no instruments at all

    paid = no_errors(await pay_by_card(gateway, order["id"]))
    assert paid["payment"]["status"] == "SUCCESS"
    assert paid["order"]["statusId"] == 11 and paid["order"]["status"] == "Awaiting Fulfillment"

    read = (await gateway.run("Order", {"id": order["id"]}))["data"]["order"]
    assert read["statusId"] == 11 and read["total"] == order["total"]
    assert gateway.sandbox.state.orders[order["number"]].status_id == 11


async def test_customer_pays_with_stored_card(gateway) -> None:
    token = await sign_in(gateway, 1)
    order = await unpaid_order(gateway, token)
    headers = shopper_headers(token)
    methods = (await gateway.run("PaymentMethods", {"orderId": order["id"]}, headers))["data"]
    assert methods["shopper"]["customerId"] == 1
    instruments = methods["shopper"]["storedInstruments"]
    stored = [s for s in instruments if s["__typename"] == "StoredCard"]
    assert stored and stored[0]["last4"] == "1111"
    assert stored[0]["paymentMethodId"] == "braintree.card"
    paid = await gateway.run(
        "PayWithStoredCard",
        {
            "input": {
                "orderId": order["id"],
                "paymentMethodId": stored[0]["paymentMethodId"],
                "token": stored[0]["token"],
                "verificationValue": "123",
                "idempotencyKey": f"pay-{uuid.uuid4()}",
            }
        },
        headers,
    )
    result = no_errors(paid["data"]["payWithStoredCard"])
    assert result["payment"]["status"] == "SUCCESS"
    assert result["order"]["statusId"] == 11


async def test_customer_pays_with_stored_paypal_account(gateway) -> None:
    token = await sign_in(gateway, 1)
    order = await unpaid_order(gateway, token)
    headers = shopper_headers(token)
    methods = (await gateway.run("PaymentMethods", {"orderId": order["id"]}, headers))["data"]
    account = next(
        s
        for s in methods["shopper"]["storedInstruments"]
        if s["__typename"] == "StoredPayPalAccount"
    )
    assert "@" in account["email"] and account["paymentMethodId"] == "braintree.paypal"
    paid = await gateway.run(
        "PayWithStoredCard",
        {
            "input": {
                "orderId": order["id"],
                "paymentMethodId": account["paymentMethodId"],
                "token": account["token"],
            }
        },
        headers,
    )
    assert no_errors(paid["data"]["payWithStoredCard"])["order"]["statusId"] == 11


async def test_requests_prove_the_host_and_auth_split(gateway) -> None:
    order = await unpaid_order(gateway)
    no_errors(await pay_by_card(gateway, order["id"], GOOD_CARD))
    sandbox = gateway.sandbox
    payments = [r for r in sandbox.requests if r.host == "payments"]
    management = [r for r in sandbox.requests if r.host == "api"]
    assert len(payments) == 1 and management
    for request in management:
        assert request.headers["X-Auth-Token"] == sandbox.token
        assert "Authorization" not in request.headers
        validate_recorded(request)
    for request in payments:
        assert request.headers["Authorization"].startswith("PAT ")
        assert request.headers["Accept"] == "application/vnd.bc.v1+json"
        assert "X-Auth-Token" not in request.headers
        validate_recorded(request)
    consignment_posts = [
        r for r in management if r.method == "POST" and r.path.endswith("/consignments")
    ]
    assert consignment_posts and isinstance(consignment_posts[0].json(), list)
