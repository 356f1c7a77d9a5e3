"""A record of every request the sandbox received, so tests can prove what a client sent.

Payment bodies are recorded with card numbers and CVVs masked (same length, so a recorded
body still validates against the request schema): the sandbox never keeps card data.
Passwords (Validate Credentials) are masked the same way. Webhook callbacks the sandbox
sent are recorded too, one ``Delivery`` per attempt.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from multidict import CIMultiDict, CIMultiDictProxy

if TYPE_CHECKING:
    from .callbacks import Delivery

_SECRET_FIELD = re.compile(rb'("(?:number|verification_value)"\s*:\s*")([^"]*)(")')
_LONG_DIGITS = re.compile(rb"\d{12,19}")
_PASSWORD = re.compile(rb'("password"\s*:\s*")((?:[^"\\]|\\.)*)(")')


def redact_passwords(body: bytes) -> bytes:
    return _PASSWORD.sub(lambda m: m.group(1) + b"*" * len(m.group(2)) + m.group(3), body)


def _mask_digits(value: bytes) -> bytes:
    if len(value) <= 10:
        return b"*" * len(value)
    return value[:6] + b"*" * (len(value) - 10) + value[-4:]


def redact_card_data(body: bytes) -> bytes:
    body = _SECRET_FIELD.sub(
        lambda m: (
            m.group(1)
            + (
                _mask_digits(m.group(2))
                if m.group(1).startswith(b'"number')
                else b"*" * len(m.group(2))
            )
            + m.group(3)
        ),
        body,
    )
    return _LONG_DIGITS.sub(lambda m: _mask_digits(m.group(0)), body)


@dataclass(frozen=True)
class RecordedRequest:
    host: Literal["api", "payments"]
    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Recorder:
    def __init__(self, limit: int = 10_000) -> None:
        # Bounded so that benchmarks hammering the sandbox do not grow memory forever.
        self._items: deque[RecordedRequest] = deque(maxlen=limit)
        self._deliveries: deque[Delivery] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(
        self,
        host: Literal["api", "payments"],
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        if host == "payments" and body:
            body = redact_card_data(body)
        elif b'"password"' in body:
            body = redact_passwords(body)
        item = RecordedRequest(
            host=host,
            method=method,
            path=path,
            query=dict(query),
            headers=CIMultiDictProxy(CIMultiDict(headers)),
            body=body,
        )
        with self._lock:
            self._items.append(item)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def record_delivery(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries.append(delivery)

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._deliveries.clear()
