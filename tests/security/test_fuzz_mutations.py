"""Generated inputs at every mutation: never a 500, never a card number or CVV in an error."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.live_gateway import flow
from tests.security.cards import ALL_CARDS
from tests.security.secured import SecuredGateway, all_errors

MUTATIONS = {
    "CreateCart": "createCart",
    "AddBillingAddress": "addBillingAddress",
    "AddConsignment": "addConsignment",
    "SelectShippingOption": "selectShippingOption",
    "CreateOrder": "createOrder",
    "PayWithStoredCard": "payWithStoredCard",
    "PayWithCard": "payWithCard",
}
CVV_MARK = "9731"  # a CVV no message has a reason to contain

cards = st.sampled_from(ALL_CARDS)
card_text = st.one_of(
    cards, cards.map(lambda n: " ".join(n[i : i + 4] for i in range(0, len(n), 4)))
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False),
    st.text(max_size=30), card_text, cards.filter(lambda n: len(n) < 19).map(int),
    st.just(CVV_MARK), st.just(int(CVV_MARK)),
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=12), cards), inner, max_size=4),
    ),
    max_leaves=12,
)
card_like = st.fixed_dictionaries(
    {},
    optional={
        "number": st.one_of(card_text, json_values),
        "cardholderName": st.one_of(st.just("Jane Doe"), json_values),
        "expiryMonth": st.one_of(st.integers(-5, 20), json_values),
        "expiryYear": st.one_of(st.integers(1990, 2040), json_values),
        "verificationValue": st.one_of(st.just(CVV_MARK), json_values),
    },
)
inputs = st.fixed_dictionaries(
    {},
    optional={
        "checkoutId": st.one_of(st.uuids().map(str), json_values),
        "orderId": st.one_of(st.text(max_size=40), json_values),
        "paymentMethodId": st.one_of(st.just("braintree.card"), json_values),
        "card": st.one_of(card_like, json_values),
        "token": st.one_of(card_text, json_values),
        "verificationValue": st.one_of(st.just(CVV_MARK), json_values),
        "idempotencyKey": st.one_of(st.text(max_size=300), json_values),
        "lineItems": json_values,
        "address": st.one_of(st.dictionaries(st.sampled_from(list(flow.US_ADDRESS)),
                                             st.one_of(card_text, json_values)), json_values),
        "version": json_values,
    },
)  # fmt: skip


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(operation=st.sampled_from(sorted(MUTATIONS)), value=st.one_of(inputs, json_values))
async def test_generated_inputs(secured: SecuredGateway, operation: str, value: Any) -> None:
    answer = await secured.post(
        {"query": secured.ops.document, "operationName": operation, "variables": {"input": value}}
    )
    assert answer.status in (200, 400), answer.text[:300]
    body = answer.json
    errors = orjson.dumps(all_errors(body)).decode()
    for card in ALL_CARDS:
        assert card not in errors.replace(" ", ""), errors
    assert CVV_MARK not in errors, errors
    for error in all_errors(body):
        code = error.get("code") or error.get("extensions", {}).get("code")
        assert code not in (None, "INTERNAL_SERVER_ERROR"), error
