"""Store keys made from secrets or personal data are keyed hashes, never the value.

Why keyed (HMAC with a key derived from ``GATEWAY_SECRET``): a plain hash of an
email can be matched against a list of known emails by anyone reading Redis;
without the secret it cannot. Every replica sharing the secret derives the same key.
"""

from __future__ import annotations

import hashlib
import hmac


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose only, so no two uses of the secret can be played off each other."""
    return hmac.digest(secret, b"store-key|" + purpose.encode(), hashlib.sha256)


def hashed(key: bytes, value: str) -> str:
    """128 bits of HMAC-SHA256, hex: enough to never collide, short in a Redis key."""
    return hmac.digest(key, value.encode(), hashlib.sha256)[:16].hex()
