"""Reachability from remembered owners (gateway/domain/ownership.py), over HTTP.

A checkout step needs no read of the checkout or order just to learn its owner: the
owner is remembered from the answers the gateway already got. The sandbox's request
record shows the calls saved, and that someone else's checkout or order is still
refused, now with nothing sent upstream at all, and that an owner changed outside the
gateway is never shown to the former owner.
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp

from gateway.bootstrap import create_app
from tests import live_gateway as live
from tests.flow import (
    GOOD_CARD,
    US_ADDRESS,
    checkout_ready_to_order,
    no_errors,
    pay_by_card,
    run_edit,
    shopper_headers,
    sign_in,
    unpaid_order,
)
from tests.graphql_ops import Operations

CHECKOUT = r"/v3/checkouts/[^/]+"
ORDER = r"/v2/orders/\d+"
# One guest checkout, CreateCart to PayWithCard: the calls it made before shopper identity
# (a reachability read per step made it 16; each step's owner is now remembered).
GUEST_FLOW = [
    ("CreateCart", "POST", r"/v3/carts"),
    ("AddBillingAddress", "GET", CHECKOUT),  # which billing address to update, if any
    ("AddBillingAddress", "POST", CHECKOUT + "/billing-address"),
    ("AddConsignment", "POST", CHECKOUT + "/consignments"),
    ("SelectShippingOption", "PUT", CHECKOUT + "/consignments/[^/]+"),
    ("CreateOrder", "GET", CHECKOUT),  # under the order lock: is there an order already?
    ("CreateOrder", "POST", CHECKOUT + "/orders"),
    ("PaymentMethods", "GET", r"/v3/payments/methods"),
    ("PayWithCard", "POST", r"/v3/payments/access_tokens"),
    ("PayWithCard", "POST", r"/payments"),
    ("PayWithCard", "GET", ORDER),  # the paid order, read back
]
NOT_FOUND = {"code": "NOT_FOUND", "field": ["input", "checkoutId"], "message": "Not found."}


def _calls(gateway: Any) -> list[tuple[str, str]]:
    return [
        (r.method, r.path.split("/stores/")[1].split("/", 1)[1]) for r in gateway.sandbox.requests
    ]


def _matches(calls: list[tuple[str, str]], expected: list[tuple[str, str, str]]) -> bool:
    return len(calls) == len(expected) and all(
        method == want and re.fullmatch(path_regex.lstrip("/"), path) is not None
        for (method, path), (_, want, path_regex) in zip(calls, expected, strict=True)
    )


async def test_a_guest_checkout_makes_the_calls_it_made_before_shopper_identity(gateway) -> None:
    order = await unpaid_order(gateway)
    methods = await gateway.run("PaymentMethods", {"orderId": order["id"]})
    assert methods["data"]["paymentMethods"]
    no_errors(await pay_by_card(gateway, order["id"]))
    calls = _calls(gateway)
    assert _matches(calls, GUEST_FLOW), calls


async def _refused(gateway: Any, operation: str, checkout_id: str, headers: Any) -> None:
    inputs: dict[str, dict[str, Any]] = {
        "AddConsignment": {
            "address": {k: v for k, v in US_ADDRESS.items() if k != "phone"},
            "lineItems": [{"itemId": "any", "quantity": 1}],
        },
        "SelectShippingOption": {"consignmentId": "any", "shippingOptionId": "any"},
        "CreateOrder": {},
        "AddBillingAddress": {"address": US_ADDRESS},
    }
    answer = await gateway.run(
        operation, {"input": {"checkoutId": checkout_id, **inputs[operation]}}, headers
    )
    payload = next(iter(answer["data"].values()))
    assert payload["errors"] == [NOT_FOUND], (operation, payload)


async def test_someone_elses_remembered_checkout_and_order_send_nothing_upstream(gateway) -> None:
    jane = await sign_in(gateway, 1)
    checkout = await checkout_ready_to_order(gateway, jane)
    order = await unpaid_order(gateway, jane)
    john = await sign_in(gateway, 2)
    for token in (None, john):
        headers = shopper_headers(token)
        gateway.sandbox.clear_requests()
        for operation in ("AddConsignment", "SelectShippingOption", "CreateOrder"):
            await _refused(gateway, operation, checkout["id"], headers)
        methods = await gateway.run("PaymentMethods", {"orderId": order["id"]}, headers)
        assert {e["extensions"]["code"] for e in methods["errors"]} == {"NOT_FOUND"}
        paid = await pay_by_card(gateway, order["id"], GOOD_CARD, token=token)
        assert [e["code"] for e in paid["errors"]] == ["NOT_FOUND"]
        # Refused from the remembered owner alone (john's own profile, Query.shopper, aside).
        assert [c for c in _calls(gateway) if not c[1].startswith("v3/customers")] == []
        # Which billing address to update needs the checkout: one read, then refused.
        gateway.sandbox.clear_requests()
        await _refused(gateway, "AddBillingAddress", checkout["id"], headers)
        assert _calls(gateway) == [("GET", f"v3/checkouts/{checkout['id']}")]


async def test_an_owner_changed_outside_the_gateway_is_never_shown(gateway) -> None:
    checkout = await checkout_ready_to_order(gateway)  # a guest's, remembered as such
    gateway.sandbox.state.carts[checkout["id"]].customer_id = 1  # a merchant gives it to jane
    consignment = checkout["consignments"][0]
    answer = await gateway.run(
        "SelectShippingOption",
        {
            "input": {
                "checkoutId": checkout["id"],
                "consignmentId": consignment["id"],
                "shippingOptionId": consignment["availableShippingOptions"][0]["id"],
            }
        },
    )
    # The stale entry let the write through; its answer, jane's checkout, is not shown.
    assert answer["data"]["selectShippingOption"] == {"checkout": None, "errors": [NOT_FOUND]}
    gateway.sandbox.clear_requests()
    await _refused(gateway, "CreateOrder", checkout["id"], None)
    assert gateway.sandbox.requests == []  # the answer corrected the entry
    jane = shopper_headers(await sign_in(gateway, 1))
    created = await gateway.run("CreateOrder", {"input": {"checkoutId": checkout["id"]}}, jane)
    assert no_errors(created["data"]["createOrder"])["order"]["number"]


async def test_an_edits_read_tells_the_next_step_its_owner(gateway, sandbox) -> None:
    created = await gateway.run(
        "CreateCart", {"input": {"lineItems": [{"productId": 111, "quantity": 1}]}}
    )
    cart = no_errors(created["data"]["createCart"])["cart"]
    # A gateway that never saw the cart (another replica, no shared store): the edit reads it.
    server, task, url = await live.serve(create_app(live.gateway_settings(sandbox)))
    try:
        async with aiohttp.ClientSession() as http:
            fresh = live.LiveGateway(url, http, sandbox, Operations.load(), None)
            note = {"input": {"checkoutId": cart["id"], "message": "Leave it at the door."}}
            edited = await run_edit(fresh, "SetCustomerMessage", note)
            no_errors(edited["data"]["setCustomerMessage"])
            sandbox.clear_requests()
            address = {k: v for k, v in US_ADDRESS.items() if k != "phone"}
            line = {"itemId": cart["lineItems"][0]["id"], "quantity": 1}
            consignment = {
                "input": {"checkoutId": cart["id"], "address": address, "lineItems": [line]}
            }
            no_errors((await fresh.run("AddConsignment", consignment))["data"]["addConsignment"])
            assert [method for method, _ in _calls(fresh)] == ["POST"]  # no reachability read
    finally:
        await live.stop(server, task)
