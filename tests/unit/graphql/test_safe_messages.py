"""graphql-core's coercion messages, rebuilt without the value the client sent."""

from __future__ import annotations

import pytest

from gateway.graphql.safe_messages import safe_coercion_message, safe_document_message

CARD = "4111111111111111"


@pytest.mark.parametrize(
    "message",
    [
        f"Variable '$input' got invalid value '{CARD}' at 'input.card.expiryMonth'; "
        f'Int cannot represent non-integer value: "{CARD}"',
        f"Variable '$input' has invalid value at 'input.card.number': "
        f"String cannot represent a non string value: {int(CARD)}",
        f"Variable '$input' got invalid value {{'card': {{'number': '{CARD}'}}}}; "
        "Expected value of type 'CardInput!' not to include unknown field 'numbr'.",
        f"Variable '$x' has invalid value: something unexpected {CARD}",
    ],
)
def test_no_value_survives(message: str) -> None:
    safe = safe_coercion_message(message)
    assert CARD not in safe and "4111" not in safe
    assert safe.startswith("Variable '$")


def test_the_path_and_the_rule_are_kept() -> None:
    # graphql-core 3.3's own wording.
    safe = safe_coercion_message(
        "Variable '$input' has invalid value at .card.expiryMonth: "
        "Int cannot represent non-integer value: '12a'"
    )
    assert safe == (
        "Variable '$input' has an invalid value at 'card.expiryMonth'. "
        "Int cannot represent non-integer value."
    )


def test_document_literals_are_left_out() -> None:
    safe = safe_document_message(f'Int cannot represent non-integer value: "{CARD}"')
    assert CARD not in safe


def test_suggestion_messages_lose_the_literal_too() -> None:
    message = (
        "Field 'numbe' is not defined by type 'CardInput'. Did you mean 'number'? "
        'Found: { numbe: "4111 1111 1111 1112", verificationValu: "987" }'
    )
    safe = safe_document_message(message)
    assert "4111" not in safe and "987" not in safe
    assert "Did you mean 'number'?" in safe
