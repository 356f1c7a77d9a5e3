"""Opaque order ids: round-trip, unforgeable, not derivable from the number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.order_ids import OrderIdCodec
from gateway.errors import ErrorCode, GatewayError

codec = OrderIdCodec(b"s" * 32, "store")


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_round_trip(number: int) -> None:
    order_id = codec.encode(number)
    assert codec.decode(order_id) == number
    # Not derivable from the number: another secret gives another id.
    assert OrderIdCodec(b"t" * 32, "store").encode(number) != order_id


@given(st.integers(min_value=1, max_value=2**31), st.integers(min_value=4, max_value=27))
def test_any_tampered_character_is_not_found(number: int, position: int) -> None:
    order_id = codec.encode(number)
    index = min(position, len(order_id) - 1)
    replacement = "A" if order_id[index] != "A" else "B"
    tampered = order_id[:index] + replacement + order_id[index + 1 :]
    with pytest.raises(GatewayError) as caught:
        codec.decode(tampered)
    assert caught.value.code is ErrorCode.NOT_FOUND


def test_another_secret_or_store_cannot_read_it() -> None:
    order_id = codec.encode(100)
    for other in (OrderIdCodec(b"t" * 32, "store"), OrderIdCodec(b"s" * 32, "other")):
        with pytest.raises(GatewayError):
            other.decode(order_id)


@pytest.mark.parametrize("bad", ["100", "", "ord_", "ord_==", "x" * 500, "ord_" + "A" * 32])
def test_garbage_is_not_found(bad: str) -> None:
    with pytest.raises(GatewayError):
        codec.decode(bad)
