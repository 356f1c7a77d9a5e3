"""The one rule naming refused fields: BigCommerce's REST paths as the domain's input paths.

The live table (tests/gateway/test_store_refusals.py) drives what the sandbox answers; these
cover the spellings BigCommerce may use that the sandbox does not (a wrapper key, the
deprecated ``shipping_address``, a payment field outside the instrument).
"""

from __future__ import annotations

import pytest

from gateway.bigcommerce import client
from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.errors import (
    InputRule,
    currency_refused,
    error_from_response,
    field_words,
    order_step_missing,
)
from gateway.errors import ErrorCode


@pytest.mark.parametrize(
    ("place", "rest", "domain"),
    [
        (client._in_cart, ["currency", "code"], ["currency_code"]),
        (client._in_cart, ["line_items", "1", "product_id"], ["line_items", "1", "product_id"]),
        (client._in_address, ["country_code"], ["address", "country_code"]),
        (client._in_address, ["billing_address", "country_code"], ["address", "country_code"]),
        (client._in_the_one_consignment, ["0", "line_items", "0", "item_id"],
         ["line_items", "0", "item_id"]),
        (client._in_the_one_consignment, ["0", "shipping_address", "city"], ["address", "city"]),
        (client._in_the_one_consignment, ["address", "city"], ["address", "city"]),
        (client._in_card, ["payment", "instrument", "expiry_month"], ["card", "expiry_month"]),
        (client._in_card, ["payment", "instrument", "type"], ["payment_method_id"]),
        (client._in_card, ["payment", "payment_method_id"], ["payment_method_id"]),
        (client._in_card, ["order_id"], ["order_id"]),
        (client._in_stored, ["payment", "instrument"], ["token"]),
        (client._in_stored, ["payment", "instrument", "type"], ["payment_method_id"]),
        (client._in_stored, ["payment", "payment_method_id"], ["payment_method_id"]),
        (client._in_stored, ["order_id"], ["order_id"]),
    ],
)  # fmt: skip
def test_rest_paths_become_the_domains(place, rest, domain) -> None:
    assert place(rest) == domain


def test_refusals_naming_no_field_are_named_only_for_their_status() -> None:
    assert currency_refused(422, {}) is None
    assert order_step_missing(400, {"title": "A billing address is required"}) is None
    vague = order_step_missing(422, ["not", "an", "object"])
    assert vague is not None and vague.field == ["checkout_id"]
    assert "not ready" in vague.message


def test_a_call_without_a_rule_for_unnamed_refusals_says_so_plainly() -> None:
    error = error_from_response(422, {"title": "Nope"}, CallClass.WRITE, field_path=InputRule())
    assert (error.code, error.field) == (ErrorCode.VALIDATION, None)
    assert error.message == "The store rejected the input."


def test_field_words_skip_indexes() -> None:
    assert field_words(["line_items", "0", "item_id"]) == "the item id"
    assert field_words(["0"]) == "the input"
