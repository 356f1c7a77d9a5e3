"""Opaque order ids: BigCommerce's order number, sealed with the gateway's secret.

``ord_`` + base64url(tag ‖ number XOR pad). The tag is an HMAC over the store
hash and the number, so an id cannot be forged or derived from a number; the
pad (derived from the tag) hides the number. Deterministic, so one order always
has one id, in every replica that shares the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from collections.abc import Sequence

from gateway.domain.validation import NOT_FOUND
from gateway.errors import ErrorCode, GatewayError

PREFIX = "ord_"
TAG_BYTES = 16
# Ids sealed or opened before, both ways: a checkout or payment-methods read would
# otherwise pay two to four HMACs per request for the same order. Bounded; cleared when full.
MAX_REMEMBERED = 4096


class OrderIdCodec:
    def __init__(self, secret: bytes, store_hash: str) -> None:
        self._secret = secret
        self._store = store_hash.encode()
        self._ids: dict[int, str] = {}
        self._numbers: dict[str, int] = {}

    def _tag(self, number: int) -> bytes:
        message = b"order-id|" + self._store + b"|" + struct.pack(">Q", number)
        return hmac.digest(self._secret, message, hashlib.sha256)[:TAG_BYTES]

    def _pad(self, tag: bytes) -> bytes:
        return hmac.digest(self._secret, b"order-pad|" + tag, hashlib.sha256)[:8]

    def encode(self, number: int) -> str:
        known = self._ids.get(number)
        if known is not None:
            return known
        order_id = self._seal(number)
        self._remember(number, order_id)
        return order_id

    def _remember(self, number: int, order_id: str) -> None:
        if len(self._ids) >= MAX_REMEMBERED:
            self._ids.clear()
            self._numbers.clear()
        self._ids[number] = order_id
        self._numbers[order_id] = number

    def _seal(self, number: int) -> str:
        tag = self._tag(number)
        hidden = bytes(
            a ^ b for a, b in zip(struct.pack(">Q", number), self._pad(tag), strict=True)
        )
        return PREFIX + base64.urlsafe_b64encode(tag + hidden).decode().rstrip("=")

    def decode(self, order_id: str, field: Sequence[str] | None = None) -> int:
        """The order number of a genuine id; ``NOT_FOUND`` for anything else (a bare number too)."""
        known = self._numbers.get(order_id) if isinstance(order_id, str) else None
        if known is not None:
            return known  # only genuine ids are remembered
        not_found = GatewayError(ErrorCode.NOT_FOUND, NOT_FOUND, field)
        if not isinstance(order_id, str) or not order_id.startswith(PREFIX) or len(order_id) > 64:
            raise not_found
        body = order_id[len(PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError:
            raise not_found from None
        if len(raw) != TAG_BYTES + 8:
            raise not_found
        tag, hidden = raw[:TAG_BYTES], raw[TAG_BYTES:]
        number: int
        (number,) = struct.unpack(
            ">Q", bytes(a ^ b for a, b in zip(hidden, self._pad(tag), strict=True))
        )
        if not hmac.compare_digest(tag, self._tag(number)) or self._seal(number) != order_id:
            raise not_found
        self._remember(number, order_id)
        return number
