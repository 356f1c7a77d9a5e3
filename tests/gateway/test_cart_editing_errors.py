"""Every cart-editing mutation: a stale version is CONFLICT, bad input a payload error naming
the field, both before anything is written; removing the last line deletes the checkout."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flow import (
    US_ADDRESS,
    checkout_ready_to_order,
    no_errors,
    run_edit,
    shopper_headers,
    sign_in,
)

WRITES = ("POST", "PUT", "DELETE")


def field_of(operation: str) -> str:
    return operation[0].lower() + operation[1:]


async def payload(gateway: Any, operation: str, input: dict[str, Any]) -> dict[str, Any]:
    answer = await run_edit(gateway, operation, {"input": input})
    assert "errors" not in answer, answer  # expected failures are payload errors
    return answer["data"][field_of(operation)]  # type: ignore[no-any-return]


def writes(gateway: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in gateway.sandbox.requests if r.method in WRITES]


def inputs_for(checkout: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A valid input for each new mutation, on a checkout ready to order."""
    cid = checkout["id"]
    line = checkout["cart"]["lineItems"][0]["id"]
    consignment = checkout["consignments"][0]["id"]
    address = {k: v for k, v in US_ADDRESS.items() if k != "phone"}
    return {
        "AddCartLineItems": {"checkoutId": cid, "lineItems": [{"productId": 118, "quantity": 1}]},
        "UpdateCartLineItem": {"checkoutId": cid, "lineItemId": line, "quantity": 3},
        "RemoveCartLineItem": {"checkoutId": cid, "lineItemId": line},
        "ApplyCoupon": {"checkoutId": cid, "code": "SAVE10"},
        "RemoveCoupon": {"checkoutId": cid, "code": "SAVE10"},
        "UpdateConsignment": {"checkoutId": cid, "consignmentId": consignment, "address": address},
        "RemoveConsignment": {"checkoutId": cid, "consignmentId": consignment},
        "SetCustomerMessage": {"checkoutId": cid, "message": "Leave it at the door."},
    }


MUTATIONS = tuple(inputs_for(
    {"id": "x", "cart": {"lineItems": [{"id": "l"}]}, "consignments": [{"id": "c"}]}
))  # fmt: skip


@pytest.mark.parametrize("operation", MUTATIONS)
async def test_a_stale_version_is_conflict_and_changes_nothing(gateway, operation: str) -> None:
    checkout = await checkout_ready_to_order(gateway)
    if operation == "RemoveCoupon":
        applied = await payload(
            gateway, "ApplyCoupon", {"checkoutId": checkout["id"], "code": "SAVE10"}
        )
        checkout = no_errors(applied)["checkout"]
    gateway.sandbox.clear_requests()
    stale = {**inputs_for(checkout)[operation], "version": checkout["version"] - 1}
    answer = await payload(gateway, operation, stale)
    assert answer["checkout"] is None
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [
        ("CONFLICT", ["input", "version"])
    ]
    assert writes(gateway) == []
    # The version read is the current one: the same edit goes through (removing the only
    # line deletes the checkout, so that answer has none).
    current = {**stale, "version": checkout["version"]}
    after = no_errors(await payload(gateway, operation, current))["checkout"]
    assert (after is None) == (operation == "RemoveCartLineItem")


async def test_a_version_that_went_stale_after_the_read_is_still_conflict(gateway) -> None:
    """BigCommerce checks the version too: a change between the read and the write is caught."""
    checkout = await checkout_ready_to_order(gateway)
    cart = gateway.sandbox.state.carts[checkout["id"]]
    cart.touch()  # someone else's change, after the version was read
    answer = await payload(
        gateway, "SetCustomerMessage", {"checkoutId": checkout["id"], "message": "hi",
                                        "version": cart.version}
    )  # fmt: skip
    no_errors(answer)
    answer = await payload(
        gateway, "SetCustomerMessage", {"checkoutId": checkout["id"], "message": "hi",
                                        "version": checkout["version"]}
    )  # fmt: skip
    assert [e["code"] for e in answer["errors"]] == ["CONFLICT"]


BAD_INPUTS: list[tuple[str, dict[str, Any], str, list[str]]] = [
    ("AddCartLineItems", {"lineItems": [{"productId": 111, "quantity": -1}]}, "VALIDATION",
     ["input", "lineItems", "0", "quantity"]),
    ("AddCartLineItems", {"lineItems": []}, "VALIDATION", ["input", "lineItems"]),
    ("AddCartLineItems", {"lineItems": [{"productId": -5, "quantity": 1}]}, "VALIDATION",
     ["input", "lineItems", "0", "productId"]),
    ("UpdateCartLineItem", {"quantity": -1}, "VALIDATION", ["input", "quantity"]),
    ("UpdateCartLineItem", {"lineItemId": "no-such-line"}, "NOT_FOUND", ["input", "lineItemId"]),
    ("RemoveCartLineItem", {"lineItemId": "no-such-line"}, "NOT_FOUND", ["input", "lineItemId"]),
    ("ApplyCoupon", {"code": "X" * 10_000}, "VALIDATION", ["input", "code"]),
    ("ApplyCoupon", {"code": "SAVE10\x00"}, "VALIDATION", ["input", "code"]),
    ("ApplyCoupon", {"code": "  "}, "VALIDATION", ["input", "code"]),
    ("ApplyCoupon", {"code": "NOSUCHCODE"}, "COUPON_INVALID", ["input", "code"]),
    ("RemoveCoupon", {"code": "X" * 10_000}, "VALIDATION", ["input", "code"]),
    ("RemoveCoupon", {"code": "FREESHIP"}, "NOT_FOUND", ["input", "code"]),
    ("UpdateConsignment", {"consignmentId": "nope"}, "NOT_FOUND", ["input", "consignmentId"]),
    ("UpdateConsignment", {"address": None}, "VALIDATION", ["input", "address"]),
    ("UpdateConsignment", {"address": {**US_ADDRESS, "city": "A" * 300}}, "VALIDATION",
     ["input", "address", "city"]),
    ("UpdateConsignment", {"address": None, "lineItems": [{"itemId": "gone", "quantity": 1}]},
     "NOT_FOUND", ["input", "lineItems", "0", "itemId"]),
    ("UpdateConsignment", {"address": None, "lineItems": [{"itemId": "x", "quantity": -2}]},
     "VALIDATION", ["input", "lineItems", "0", "quantity"]),
    ("RemoveConsignment", {"consignmentId": "nope"}, "NOT_FOUND", ["input", "consignmentId"]),
    ("SetCustomerMessage", {"message": "ring\x07the bell"}, "VALIDATION", ["input", "message"]),
    ("SetCustomerMessage", {"message": "x" * 2001}, "VALIDATION", ["input", "message"]),
    ("SetCustomerMessage", {"checkoutId": "not-a-checkout"}, "NOT_FOUND", ["input", "checkoutId"]),
    ("ApplyCoupon", {"checkoutId": "3f0c1e2a-0000-4000-8000-000000000000"}, "NOT_FOUND",
     ["input", "checkoutId"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("operation", "change", "code", "field"),
    BAD_INPUTS,
    ids=[f"{op}-{n}" for n, (op, *_) in enumerate(BAD_INPUTS)],
)
async def test_bad_input_is_a_payload_error_naming_the_field(
    gateway, operation: str, change: dict[str, Any], code: str, field: list[str] | None
) -> None:
    checkout = await checkout_ready_to_order(gateway)
    gateway.sandbox.clear_requests()
    answer = await payload(gateway, operation, {**inputs_for(checkout)[operation], **change})
    assert answer["checkout"] is None
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [(code, field)]
    assert "\x00" not in str(answer) and "XXXX" not in str(answer)  # no value echoed
    assert writes(gateway) == [] or code == "COUPON_INVALID"  # refused before writing


@pytest.mark.parametrize(
    ("operation", "extra"),
    [("RemoveCartLineItem", {}), ("UpdateCartLineItem", {"quantity": 0})],
)
async def test_removing_the_last_line_deletes_the_checkout(
    gateway, operation: str, extra: dict[str, Any]
) -> None:
    checkout = await checkout_ready_to_order(gateway)
    line = checkout["cart"]["lineItems"][0]["id"]
    answer = await payload(
        gateway, operation, {"checkoutId": checkout["id"], "lineItemId": line, **extra}
    )
    assert answer == {"checkout": None, "errors": []}  # done: there is no checkout any more
    read = await run_edit(gateway, "Checkout", {"id": checkout["id"]})
    assert read["data"]["checkout"] is None
    assert read["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_quantity_zero_removes_the_line_and_its_consignment_place(gateway) -> None:
    created = await run_edit(
        gateway, "CreateCart",
        {"input": {"lineItems": [{"productId": 111, "quantity": 1},
                                 {"productId": 123, "quantity": 2}]}},
    )  # fmt: skip
    cart = no_errors(created["data"]["createCart"])["cart"]
    first, second = (line["id"] for line in cart["lineItems"])
    consigned = await run_edit(
        gateway, "AddConsignment",
        {"input": {"checkoutId": cart["id"],
                   "address": {k: v for k, v in US_ADDRESS.items() if k != "phone"},
                   "lineItems": [{"itemId": first, "quantity": 1},
                                 {"itemId": second, "quantity": 2}]}},
    )  # fmt: skip
    no_errors(consigned["data"]["addConsignment"])
    gateway.sandbox.clear_requests()
    answer = await payload(
        gateway,
        "UpdateCartLineItem",
        {"checkoutId": cart["id"], "lineItemId": first, "quantity": 0},
    )
    checkout = no_errors(answer)["checkout"]
    assert [line["id"] for line in checkout["cart"]["lineItems"]] == [second]
    assert checkout["consignments"][0]["lineItemIds"] == [second]
    assert any(
        r.method == "DELETE" and r.path.endswith(f"/items/{first}")
        for r in gateway.sandbox.requests
    )


@pytest.mark.parametrize("operation", MUTATIONS)
async def test_a_customers_checkout_is_not_found_to_anyone_else(gateway, operation: str) -> None:
    owner = await sign_in(gateway, 1)
    checkout = await checkout_ready_to_order(gateway, owner)
    stranger = await sign_in(gateway, 2)
    gateway.sandbox.clear_requests()
    for headers in (None, shopper_headers(stranger)):
        answer = await run_edit(
            gateway, operation, {"input": inputs_for(checkout)[operation]}, headers
        )
        payload = answer["data"][field_of(operation)]
        assert payload["checkout"] is None
        assert [(e["code"], e["field"], e["message"]) for e in payload["errors"]] == [
            ("NOT_FOUND", ["input", "checkoutId"], "Not found.")
        ]
    assert writes(gateway) == []
