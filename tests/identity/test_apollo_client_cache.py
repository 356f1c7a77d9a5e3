"""Apollo Client (npm @apollo/client, InMemoryCache with its defaults) runs a guest's
checkout and then a signed-in shopper's in ONE client (issue 11, CONTRACT §1a): no object
of the normalized cache is shared wrongly between the two.

The script (tests/clients/apollo-checkout-flows.mjs) sends the contract's operations as
written, the token in X-Shopper-Token from a link; it reports every answer, what the cache
reads back, and the cache itself. Needs Node 20+ and ``npm ci --prefix tests/clients``;
without them the test skips, except under CI=true.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.flow import EMAILS, GOOD_CARD, MINTED_TOKENS, SANDBOX_PASSWORD, US_ADDRESS
from tests.live_gateway import LiveGateway
from tests.node_clients import CLIENTS_DIR, run_client

FLOW_FILE = CLIENTS_DIR.parents[1] / "gateway" / "operations" / "checkout-flow.graphql"
PAYMENT_METHOD_FIELDS = {"__typename", "id", "name", "type", "testMode", "supportedInstruments"}
INSTRUMENT_TYPES = {"StoredCard", "StoredPayPalAccount"}

Path = tuple[str | int, ...]


def walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every value inside ``value`` (itself first), with the keys and indexes that reach it."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))


def field_key(name: str, **args: str) -> str:
    """The cache's name for a field with arguments (Apollo: sorted-key JSON of the args)."""
    return f"{name}({json.dumps(args, separators=(',', ':'), sort_keys=True)})"


def normalized_objects(answers: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every object of the answers InMemoryCache normalizes (``__typename`` and ``id``),
    by its cache id, as each answer showed it."""
    found: dict[str, list[dict[str, Any]]] = {}
    for _, value in walk(answers):
        if isinstance(value, dict) and "__typename" in value and value.get("id") is not None:
            found.setdefault(f"{value['__typename']}:{value['id']}", []).append(value)
    return found


def scalars(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not isinstance(v, dict | list)}


async def test_one_apollo_cache_keeps_a_guest_and_a_signed_in_shopper_apart(
    gateway: LiveGateway,
) -> None:
    state = gateway.sandbox.state
    report = await run_client(
        "apollo-checkout-flows.mjs",
        {
            "url": f"{gateway.url}/graphql",
            "document": FLOW_FILE.read_text(),
            "signIn": {"email": EMAILS[1], "password": SANDBOX_PASSWORD},
            "billingAddress": US_ADDRESS,
            "shippingAddress": {k: v for k, v in US_ADDRESS.items() if k != "phone"},
            "card": GOOD_CARD,
            "productId": 111,
            "quantity": 2,
        },
    )
    MINTED_TOKENS.append(report["signedIn"]["token"])  # the final audit looks for it
    guest, signed, cache = report["guest"], report["signedIn"], report["cache"]
    customer_1 = {i.token for i in state.instruments_of(1)}
    assert len(customer_1) == 2  # the seeded Visa and PayPal account

    # The shopper is customer 1, whose wallet and order show their two instruments.
    assert signed["answers"]["Shopper"]["shopper"]["customerId"] == 1
    wallet = signed["answers"]["Shopper"]["shopper"]["storedInstruments"]
    assert {i["token"] for i in wallet} == customer_1
    usable = signed["answers"]["PaymentMethods"]["shopper"]["storedInstruments"]
    assert {i["token"] for i in usable} == customer_1

    # The guest's order: its answers, then and after signing in, hold none of them.
    assert guest["answers"]["PaymentMethods"]["shopper"] is None
    again = report["afterSignIn"]["guestPaymentMethods"]
    assert again["shopper"]["customerId"] == 1 and again["shopper"]["storedInstruments"] == []
    assert again["paymentMethods"] == guest["answers"]["PaymentMethods"]["paymentMethods"]
    for token in customer_1:
        assert token not in json.dumps(guest) and token not in json.dumps(again)

    # Its cached PaymentMethod objects (and every other) carry methods' fields only.
    guest_methods = cache["ROOT_QUERY"][field_key("paymentMethods", orderId=guest["orderId"])]
    assert guest_methods and all(set(ref) == {"__ref"} for ref in guest_methods)
    methods = {k: v for k, v in cache.items() if v.get("__typename") == "PaymentMethod"}
    assert {ref["__ref"] for ref in guest_methods} <= set(methods)
    for key, method in methods.items():
        assert set(method) <= PAYMENT_METHOD_FIELDS, (key, method)
        assert not any(token in json.dumps(method) for token in customer_1), key

    # Customer 1's instruments live under ROOT_QUERY.shopper and nowhere else.
    shopper = cache["ROOT_QUERY"]["shopper"]
    cached_usable = shopper[field_key("storedInstruments", orderId=signed["orderId"])]
    assert {i["token"] for i in cached_usable} == customer_1
    places = [
        path
        for path, value in walk(cache)
        if (isinstance(value, str) and value in customer_1)
        or (isinstance(value, dict) and value.get("__typename") in INSTRUMENT_TYPES)
    ]
    assert places and all(path[:2] == ("ROOT_QUERY", "shopper") for path in places), places

    # An object both visits saw (a payment method, a shipping option) looked the same to
    # both: sharing it in the cache changes neither visit's answers.
    seen_by_guest = normalized_objects(guest["answers"])
    seen_signed_in = normalized_objects(signed["answers"])
    shared = set(seen_by_guest) & set(seen_signed_in)
    assert any(key.startswith("PaymentMethod:") for key in shared)
    for key in shared:
        views = [scalars(v) for v in seen_by_guest[key] + seen_signed_in[key]]
        for view in views[1:]:
            common = set(view) & set(views[0])
            assert {k: view[k] for k in common} == {k: views[0][k] for k in common}, key

    # Orders are normalized by id: one entity each, referenced everywhere else.
    orders = {k: v for k, v in cache.items() if v.get("__typename") == "Order"}
    assert set(orders) == {f"Order:{guest['orderId']}", f"Order:{signed['orderId']}"}
    inline = [
        path
        for path, value in walk(cache)
        if isinstance(value, dict) and value.get("__typename") == "Order" and len(path) > 1
    ]
    assert inline == []
    for visit in (guest, signed):
        entity = orders[f"Order:{visit['orderId']}"]
        assert entity["id"] == visit["orderId"]
        assert entity["number"] == visit["answers"]["CreateOrder"]["order"]["number"]
        assert cache["ROOT_QUERY"][field_key("order", id=visit["orderId"])] == {
            "__ref": f"Order:{visit['orderId']}"
        }
    assert report["cacheReads"]["guestOrder"] == guest["answers"]["Order"]
    assert report["cacheReads"]["signedInOrder"] == signed["answers"]["Order"]
    assert report["cacheReads"]["guestCheckout"] == guest["answers"]["Checkout"]
    assert report["cacheReads"]["signedInCheckout"] == signed["answers"]["Checkout"]
    cached_methods = report["cacheReads"]["signedInPaymentMethods"]
    assert cached_methods["shopper"] == signed["answers"]["PaymentMethods"]["shopper"]
    guest_number = guest["answers"]["CreateOrder"]["order"]["number"]
    signed_number = signed["answers"]["CreateOrder"]["order"]["number"]
    assert guest_number != signed_number
    assert state.orders[guest_number].customer_id == 0
    assert state.orders[signed_number].customer_id == 1

    # The stored card paid the shopper's own order: Awaiting Fulfillment, in the answers,
    # the cache and the store.
    paid = signed["answers"]["PayWithStoredCard"]
    assert paid["payment"]["status"] == "SUCCESS"
    assert (paid["order"]["status"], paid["order"]["statusId"]) == ("Awaiting Fulfillment", 11)
    signed_order = orders[f"Order:{signed['orderId']}"]
    assert (signed_order["status"], signed_order["statusId"]) == ("Awaiting Fulfillment", 11)
    assert state.orders[signed_number].status_id == 11
    assert guest["answers"]["PayWithCard"]["payment"]["status"] == "SUCCESS"
