"""Card numbers and CVVs the security tests send; the final audit looks for every one."""

from __future__ import annotations

CONTRACT_CARDS = (
    "4111111111111111",
    "4242424242424242",
    "4000000000000002",
    "4000000000009995",
    "4000000000000069",
    "378282246310005",
)
# Luhn-valid numbers of the wrong length (12 and 20 digits) and other corpus numbers.
TWELVE_DIGITS = "411111111117"
TWENTY_DIGITS = "41111111111111111115"
CORPUS_CARDS = (TWELVE_DIGITS, TWENTY_DIGITS, "5555555555554444", "6011111111111117")
ALL_CARDS = CONTRACT_CARDS + CORPUS_CARDS
CVVS = ("123", "1234", "12345", "987", "4321")
