"""Opaque order ids: round-trip, unforgeable, one spelling per order, the derivation pinned."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.order_ids import OrderIdCodec
from gateway.errors import ErrorCode, GatewayError

codec = OrderIdCodec(b"k" * 32, "abc123")

# Issued ids stay valid only while the derivation does not change: these are pinned.
ISSUED = {
    1: "ord_cIlhH2x0QqOP2BiC_9NhXLPjI65LGMPG",
    10: "ord__rOD6QRGUtJv_gP-ZuteKmtjVaxrcwHM",
    64: "ord_2Fj4UrN4xsAohwNgtSNiI6xsc0dvX11X",  # ends in a letter like any other: kept whole
    100: "ord_dlg62dJprpdZidlBeQC848Ql1FTE9C8r",
    2**40: "ord_HklWQ1WcmxBy8cGkmR8_Xn_JCMc5caum",
}


def not_found(order_id: object, field: list[str] | None = None) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        codec.decode(order_id, field)  # type: ignore[arg-type]
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert caught.value.message == "Not found."
    return caught.value


@pytest.mark.parametrize(("number", "order_id"), sorted(ISSUED.items()))
def test_a_known_secret_gives_the_known_id(number: int, order_id: str) -> None:
    assert codec.encode(number) == order_id
    assert codec.decode(order_id) == number


def test_the_store_is_part_of_the_id() -> None:
    assert OrderIdCodec(b"k" * 32, "abc124").encode(1) != ISSUED[1]


@pytest.mark.parametrize(
    "spelling",
    [
        ISSUED[10].replace("-", "+"),  # standard base64 for url-safe: same bytes
        ISSUED[10][:4] + ISSUED[10][4:].replace("_", "/"),
        ISSUED[10][:9] + "!" + ISSUED[10][9:],  # ignored by a lenient base64 decoder
        ISSUED[10] + "=",
        ISSUED[10] + "==",
        ISSUED[1][:-1] + "H",
        "ORD_" + ISSUED[1][4:],
    ],
)
def test_a_non_canonical_spelling_of_a_real_id_is_not_found(spelling: str) -> None:
    assert spelling != ISSUED[10]
    not_found(spelling)


def test_not_found_names_the_field_it_was_given() -> None:
    assert not_found("ord_x", ["order_id"]).field == ("order_id",)
    assert not_found("ord_x").field is None


@pytest.mark.parametrize("bad", [None, 1, b"ord_", ["ord_"], "ord_" + "A" * 61, "ord_A"])
def test_anything_else_is_not_found(bad: object) -> None:
    not_found(bad)


def test_an_id_longer_than_64_characters_is_not_read() -> None:
    long_id = ISSUED[1] + "A" * (65 - len(ISSUED[1]))
    assert len(long_id) == 65
    not_found(long_id)


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


@pytest.mark.parametrize("number", [2**63, 2**64 - 1])
def test_the_whole_unsigned_64_bit_range_round_trips(number: int) -> None:
    # A codec of its own: the shared one may remember the id already, and this is about sealing.
    fresh = OrderIdCodec(b"k" * 32, "abc123")
    assert fresh.decode(fresh.encode(number)) == number


def test_remembered_ids_answer_as_the_derivation_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gateway.domain.order_ids.MAX_REMEMBERED", 2)
    fresh = OrderIdCodec(b"k" * 32, "abc123")
    for _ in range(2):  # sealed, then remembered; opened, then remembered
        for number, order_id in sorted(ISSUED.items()):  # four ids: the memory is cleared
            assert fresh.encode(number) == order_id
            assert fresh.decode(order_id) == number
    tampered = ISSUED[1][:-1] + ("A" if ISSUED[1][-1] != "A" else "B")
    with pytest.raises(GatewayError):
        fresh.decode(tampered)  # a remembered genuine id does not vouch for a neighbour
