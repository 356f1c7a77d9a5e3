"""Card data out of log lines: PCI DSS allows no CVV and no full card number in a log.

``redact(text)`` replaces card-like digit runs (12 to 19 digits, spaces or dashes
allowed between them, passing Luhn) and the values of card keys (``number``,
``cvv``, ``verificationValue``, ``verification_value``) in JSON, Python-repr and
``key=value`` forms. ``CardDataFilter`` applies it to every log record: the
message, its arguments, extra attributes and the exception text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[REDACTED]"

# 12-19 digits, single spaces or dashes allowed between them, not inside a longer run.
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d){11,18}(?![\d])")
_CARD_KEYS = ("number", "cvv", "cvc", "verificationValue", "verification_value", "cardNumber")
_KEY_ALT = "|".join(_CARD_KEYS)
# "number": "4111…" / 'cvv': 123 / cvv=123 / verification_value: '123'
_KEYED = re.compile(
    rf"""(?P<key>["']?\b(?:{_KEY_ALT})\b["']?\s*[:=]\s*)(?P<value>"[^"]*"|'[^']*'|[^\s,;&}}\])]+)""",
    re.IGNORECASE,
)
_SENSITIVE_KEYS = frozenset(key.lower() for key in _CARD_KEYS)
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)))


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_run(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group(0))
    return REDACTED if luhn_ok(digits) else match.group(0)


def _keyed(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group('key')}{quote}{REDACTED}{quote}"


def redact(text: str) -> str:
    """``text`` with card numbers and card-key values replaced by ``[REDACTED]``."""
    if not any(char.isdigit() for char in text):
        return text  # no card number and no CVV without a digit: skip the regexes
    return _DIGIT_RUN.sub(_card_run, _KEYED.sub(_keyed, text))


def redact_value(value: Any) -> Any:
    """A log argument or extra with card data removed (structures are copied, not changed)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return redact(str(value)) if value >= 10**11 else value
    if isinstance(value, Mapping):
        return {
            key: REDACTED
            if isinstance(key, str) and key.lower() in _SENSITIVE_KEYS
            else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, tuple):
        return tuple(redact_value(item) for item in value)
    if isinstance(value, (list, set, frozenset)):
        return [redact_value(item) for item in value]
    if isinstance(value, (float, bool)) or value is None:
        return value
    return redact(str(value))


class CardDataFilter(logging.Filter):
    """Redacts card numbers and CVVs from a record; never drops the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            if isinstance(record.args, Mapping):
                record.args = redact_value(record.args)
            else:
                record.args = tuple(redact_value(arg) for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        else:
            record.msg = redact_value(record.msg)
        if record.exc_info and not record.exc_text:
            # Format the traceback now so the exception's text is redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The exception object still holds the raw text; formatters print exc_text instead.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name in _RECORD_FIELDS or name.startswith("_"):
                continue
            if name.lower() in _SENSITIVE_KEYS:
                setattr(record, name, REDACTED)
            else:
                setattr(record, name, redact_value(value))
        return True


def install(logger: logging.Logger | None = None) -> CardDataFilter:
    """Put one ``CardDataFilter`` on every handler of ``logger`` (the root logger by default)."""
    logger = logger or logging.getLogger()
    card_filter = CardDataFilter()
    for handler in logger.handlers:
        if not any(isinstance(f, CardDataFilter) for f in handler.filters):
            handler.addFilter(card_filter)
    return card_filter
