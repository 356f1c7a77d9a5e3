"""A storefront's whole route through the gateway over HTTP (issue 13's "Done when").

Edit the cart, coupons, split shipping over two states, a note, the order and its payment,
then the confirmation page. Every total is worked out here from the store's published
prices, shipping rates and tax rates (README, sandbox section) and checked to the cent.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.sandbox import catalog
from tests.flow import US_ADDRESS, no_errors, pay_by_card, run_edit, shopper_headers, sign_in
from tests.openapi.validate import validate_recorded

PRICES = {111: Decimal("24.95"), 118: Decimal("34.50"), 123: Decimal("8.75"), 130: Decimal("6.45")}
RATES = {"TX": Decimal("0.0825"), "CA": Decimal("0.0725")}
FLAT, EXPRESS = Decimal("5.00"), Decimal("15.00")
TEXAS = {k: v for k, v in US_ADDRESS.items() if k != "phone"}
CALIFORNIA = {**TEXAS, "firstName": "Sam", "city": "Los Angeles", "address1": "1 Ocean Ave",
              "stateOrProvince": "California", "stateOrProvinceCode": "CA",
              "postalCode": "90001"}  # fmt: skip


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount(money: dict[str, Any]) -> Decimal:
    assert money["currencyCode"] == "USD"
    return Decimal(money["amount"])


async def edit(
    gateway: Any, operation: str, input: dict[str, Any], headers: dict[str, str] | None
) -> dict[str, Any]:
    answer = await run_edit(gateway, operation, {"input": input}, headers)
    field = operation[0].lower() + operation[1:]
    return no_errors(answer["data"][field])["checkout"]  # type: ignore[no-any-return]


async def refused(
    gateway: Any, operation: str, input: dict[str, Any], headers: dict[str, str] | None
) -> list[dict[str, Any]]:
    answer = await run_edit(gateway, operation, {"input": input}, headers)
    payload = answer["data"][operation[0].lower() + operation[1:]]
    assert payload["errors"], payload
    return payload["errors"]  # type: ignore[no-any-return]


def lines_by_product(checkout: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {line["productId"]: line for line in checkout["cart"]["lineItems"]}


async def create_order_errors(
    gateway: Any, checkout_id: str, headers: dict[str, str] | None
) -> list[dict[str, Any]]:
    answer = await run_edit(gateway, "CreateOrder", {"input": {"checkoutId": checkout_id}}, headers)
    payload = answer["data"]["createOrder"]
    assert payload["order"] is None
    return payload["errors"]  # type: ignore[no-any-return]


def option(consignment: dict[str, Any], cost: Decimal) -> str:
    return next(  # type: ignore[no-any-return]
        o["id"] for o in consignment["availableShippingOptions"] if amount(o["cost"]) == cost
    )


async def test_storefront_route_to_the_confirmation_page(gateway) -> None:
    # A signed-in shopper (customer 1): the cart is theirs, and so is every step.
    token = await sign_in(gateway, 1)
    me = shopper_headers(token)

    async def send(operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        return await run_edit(gateway, operation, variables, me)

    # 1. Three lines; change one quantity, remove one, add one.
    created = await send(
        "CreateCart",
        {"input": {"lineItems": [{"productId": 111, "quantity": 1},
                                 {"productId": 118, "quantity": 2},
                                 {"productId": 123, "quantity": 3}]}},
    )  # fmt: skip
    checkout_id = no_errors(created["data"]["createCart"])["cart"]["id"]
    start = (await send("Checkout", {"id": checkout_id}))["data"]["checkout"]
    lines = lines_by_product(start)
    checkout = await edit(
        gateway,
        "UpdateCartLineItem",
        {"checkoutId": checkout_id, "lineItemId": lines[123]["id"], "quantity": 1,
         "version": start["version"]}, me)  # fmt: skip
    assert lines_by_product(checkout)[123]["quantity"] == 1
    checkout = await edit(
        gateway,
        "RemoveCartLineItem",
        {"checkoutId": checkout_id, "lineItemId": lines[118]["id"], "version": checkout["version"]},
        me,
    )
    assert set(lines_by_product(checkout)) == {111, 123}
    checkout = await edit(
        gateway,
        "AddCartLineItems",
        {"checkoutId": checkout_id, "lineItems": [{"productId": 130, "quantity": 2}],
         "version": checkout["version"]}, me)  # fmt: skip
    quantities = {p: line["quantity"] for p, line in lines_by_product(checkout).items()}
    assert quantities == {111: 1, 123: 1, 130: 2}
    extended = {p: PRICES[p] * q for p, q in quantities.items()}
    subtotal = sum(extended.values())
    assert amount(checkout["subtotal"]) == subtotal == amount(checkout["grandTotal"])

    # 2. SAVE10; EXPIRED2020 is refused; remove SAVE10 and apply it again (any case).
    off = {p: cents(e / 10) for p, e in extended.items()}  # 10% of each line, to the cent
    discount = sum(off.values())
    checkout = await edit(gateway, "ApplyCoupon", {"checkoutId": checkout_id, "code": "SAVE10"}, me)
    assert [(c["code"], amount(c["discountedAmount"])) for c in checkout["coupons"]] == [
        ("SAVE10", discount)
    ]
    assert amount(checkout["discountTotal"]) == discount
    expired = await refused(
        gateway, "ApplyCoupon", {"checkoutId": checkout_id, "code": "EXPIRED2020"}, me
    )
    assert [(e["code"], e["field"]) for e in expired] == [("COUPON_INVALID", ["input", "code"])]
    checkout = await edit(
        gateway, "RemoveCoupon", {"checkoutId": checkout_id, "code": "SAVE10"}, me
    )
    assert checkout["coupons"] == [] and amount(checkout["discountTotal"]) == 0
    checkout = await edit(gateway, "ApplyCoupon", {"checkoutId": checkout_id, "code": "save10"}, me)
    assert amount(checkout["discountTotal"]) == discount

    # No order before each step is done: the gateway says which one, before BigCommerce.
    gateway.sandbox.clear_requests()
    missing = await create_order_errors(gateway, checkout_id, me)
    assert [(e["code"], e["field"]) for e in missing] == [("VALIDATION", ["input", "checkoutId"])]
    assert "billing address" in missing[0]["message"]
    assert not any(r.path.endswith("/orders") for r in gateway.sandbox.requests)

    # 3. Billing; two consignments to two states (all lines first, then split), an option each.
    billing = await send(
        "AddBillingAddress", {"input": {"checkoutId": checkout_id, "address": US_ADDRESS}}
    )
    no_errors(billing["data"]["addBillingAddress"])
    ids = {p: line["id"] for p, line in lines_by_product(checkout).items()}
    everything = [{"itemId": ids[p], "quantity": q} for p, q in quantities.items()]
    added = await send(
        "AddConsignment",
        {"input": {"checkoutId": checkout_id, "address": TEXAS, "lineItems": everything}},
    )
    texas = no_errors(added["data"]["addConsignment"])["checkout"]["consignments"][0]
    texas_lines = [{"itemId": ids[p], "quantity": quantities[p]} for p in (111, 130)]
    checkout = await edit(
        gateway,
        "UpdateConsignment",
        {"checkoutId": checkout_id, "consignmentId": texas["id"], "lineItems": texas_lines},
        me,
    )
    missing = await create_order_errors(gateway, checkout_id, me)
    assert "physical line items have no shipping address" in missing[0]["message"]
    added = await send(
        "AddConsignment",
        {"input": {"checkoutId": checkout_id, "address": CALIFORNIA,
                   "lineItems": [{"itemId": ids[123], "quantity": 1}]}},
    )  # fmt: skip
    texas, california = no_errors(added["data"]["addConsignment"])["checkout"]["consignments"]
    assert texas["address"]["stateOrProvinceCode"] == "TX"
    assert california["address"]["stateOrProvinceCode"] == "CA"
    # Each consignment has its own options and its own selection.
    checkout = await send(
        "SelectShippingOption",
        {"input": {"checkoutId": checkout_id, "consignmentId": texas["id"],
                   "shippingOptionId": option(texas, EXPRESS)}},
    )  # fmt: skip
    missing = await create_order_errors(gateway, checkout_id, me)
    assert "no shipping option selected" in missing[0]["message"]
    # A new address drops the consignment's selected option, as BigCommerce does.
    moved = await edit(
        gateway,
        "UpdateConsignment",
        {"checkoutId": checkout_id, "consignmentId": california["id"],
         "address": {**CALIFORNIA, "firstName": "Samantha"}}, me)  # fmt: skip
    by_id = {c["id"]: c for c in moved["consignments"]}
    assert by_id[california["id"]]["address"]["firstName"] == "Samantha"
    assert by_id[california["id"]]["selectedShippingOption"] is None
    assert amount(by_id[texas["id"]]["selectedShippingOption"]["cost"]) == EXPRESS
    selected = await send(
        "SelectShippingOption",
        {"input": {"checkoutId": checkout_id, "consignmentId": california["id"],
                   "shippingOptionId": option(california, FLAT)}},
    )  # fmt: skip
    checkout = no_errors(selected["data"]["selectShippingOption"])["checkout"]
    costs = [amount(c["selectedShippingOption"]["cost"]) for c in checkout["consignments"]]
    assert costs == [EXPRESS, FLAT]

    # 4. A note; the order; payment.
    note = "Please ring twice.\nThank you!"
    checkout = await edit(
        gateway, "SetCustomerMessage", {"checkoutId": checkout_id, "message": note}, me
    )
    assert checkout["customerMessage"] == note

    texas_items, california_items = (111, 130), (123,)
    items_tax = cents(sum(extended[p] - off[p] for p in texas_items) * RATES["TX"]) + cents(
        sum(extended[p] - off[p] for p in california_items) * RATES["CA"]
    )
    shipping_tax = cents(EXPRESS * RATES["TX"]) + cents(FLAT * RATES["CA"])
    tax = items_tax + shipping_tax
    grand = subtotal - discount + EXPRESS + FLAT + tax
    assert amount(checkout["subtotal"]) == subtotal
    assert amount(checkout["discountTotal"]) == discount
    assert amount(checkout["shippingCostTotal"]) == EXPRESS + FLAT
    assert amount(checkout["taxTotal"]) == tax
    assert amount(checkout["grandTotal"]) == grand

    made = await send("CreateOrder", {"input": {"checkoutId": checkout_id}})
    order = no_errors(made["data"]["createOrder"])["order"]
    assert amount(order["total"]) == grand
    paid = no_errors(await pay_by_card(gateway, order["id"], token=token))
    assert paid["order"]["statusId"] == 11

    # 5. The confirmation page: three upstream reads, every total to the cent.
    gateway.sandbox.clear_requests()
    page = (await send("OrderConfirmation", {"id": order["id"]}))["data"]["order"]
    reads = [(r.method, r.path.rsplit("/v2/", 1)[-1]) for r in gateway.sandbox.requests]
    number = order["number"]
    assert sorted(reads) == [
        ("GET", f"orders/{number}"),
        ("GET", f"orders/{number}/products"),
        ("GET", f"orders/{number}/shipping_addresses"),
    ]
    for request in gateway.sandbox.requests:
        validate_recorded(request)

    assert page["status"] == "Awaiting Fulfillment" and page["customerMessage"] == note
    assert [
        (line["sku"], line["quantity"], amount(line["basePrice"]), amount(line["totalPrice"]))
        for line in page["lineItems"]
    ] == [(catalog.PRODUCTS[p].sku, q, PRICES[p], extended[p]) for p, q in quantities.items()]
    assert [line["name"] for line in page["lineItems"]] == [
        catalog.PRODUCTS[p].name for p in quantities
    ]
    assert page["billingAddress"]["email"] == US_ADDRESS["email"]
    assert page["billingAddress"]["city"] == "Austin"
    assert [
        (a["firstName"], a["city"], a["stateOrProvince"]) for a in page["shippingAddresses"]
    ] == [
        ("Jane", "Austin", "Texas"),
        ("Samantha", "Los Angeles", "California"),
    ]
    assert amount(page["subtotal"]) == subtotal
    assert amount(page["discountTotal"]) == discount
    assert amount(page["shippingCostTotal"]) == EXPRESS + FLAT
    assert amount(page["taxTotal"]) == tax
    assert amount(page["total"]) == grand
    created_at = dt.datetime.fromisoformat(page["createdAt"])
    assert page["createdAt"].endswith("Z")
    assert abs(dt.datetime.now(dt.UTC) - created_at) < dt.timedelta(minutes=5)

    # 6. The order is the first of the shopper's orders; a guest has no shopper.
    mine = (await send("ShopperOrders", {"first": 2}))["data"]["shopper"]
    assert mine["customerId"] == 1
    newest = mine["orders"]["edges"][0]
    assert newest["node"]["id"] == order["id"] and amount(newest["node"]["total"]) == grand
    assert mine["orders"]["pageInfo"]["endCursor"] == mine["orders"]["edges"][-1]["cursor"]
    guest = await run_edit(gateway, "ShopperOrders", {"first": 2})
    assert guest["data"]["shopper"] is None
