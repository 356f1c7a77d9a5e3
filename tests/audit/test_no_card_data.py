"""Nothing the gateway wrote during the suite holds a card number, a CVV, a password
or a shopper token.

Marked ``audit``: tests/conftest.py runs it after every other test, whatever the order.

Reads every file under tests/artifacts/ (this process's log at DEBUG with tracebacks,
and the output of subprocess gateways) and any Redis dump the reliability tests left.
A CVV like "123" is a common substring, so CVVs are looked for where a card key
names them (``"verificationValue": "123"``, ``cvv=123``, ``verification_value``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.artifacts import ARTIFACTS
from tests.flow import MINTED_TOKENS, SANDBOX_PASSWORD
from tests.live_status.served import WEBHOOK_SECRET
from tests.security.cards import ALL_CARDS

pytestmark = pytest.mark.audit

CARD_CONTEXT_CVV = re.compile(
    rb"""(?:verificationValue|verification_value|cvv|cvc)["']?\s*[:=]\s*["']?\d{3,4}(?!\d)""",
    re.IGNORECASE,
)
REDIS_DUMPS = ("dump.rdb", "appendonly.aof")


def _written_files() -> list[Path]:
    files = [path for path in ARTIFACTS.rglob("*") if path.is_file()] if ARTIFACTS.exists() else []
    root = ARTIFACTS.parent.parent
    for name in REDIS_DUMPS:
        files.extend(path for path in root.rglob(name) if ".venv" not in path.parts)
    return files


def _card_forms(number: str) -> list[bytes]:
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    return [number.encode(), grouped.encode(), grouped.replace(" ", "-").encode()]


def test_nothing_written_holds_a_card_number_or_a_cvv() -> None:
    # The files are listed now, at the end of the run, not when tests were collected.
    assert (ARTIFACTS / "process.log").exists(), "tests/conftest.py writes the process log"
    files = _written_files()
    for path in files:
        data = path.read_bytes()
        for number in ALL_CARDS:
            for form in _card_forms(number):
                assert form not in data, f"{path} holds the card number {number[:6]}…"
        match = CARD_CONTEXT_CVV.search(data)
        assert match is None, f"{path} holds a CVV: {match.group(0)[:20]!r}"


def test_nothing_written_holds_a_password_or_a_shopper_token() -> None:
    """No password (CONTRACT §4's, which every sign-in test sends), none of the shopper
    tokens this run minted or was given (tests/flow.py keeps them, in memory only) and not
    the webhook secret the live-status gateways and their hooks share is in any log line,
    artifact or Redis dump."""
    assert (ARTIFACTS / "process.log").exists(), "tests/conftest.py writes the process log"
    secrets = [SANDBOX_PASSWORD.encode(), *(token.encode() for token in set(MINTED_TOKENS))]
    secrets.append(WEBHOOK_SECRET.encode())
    for path in _written_files():
        data = path.read_bytes()
        for secret in secrets:
            shown = secret[:12].decode(errors="replace")
            assert secret not in data, f"{path} holds a password or shopper token ({shown}…)"
