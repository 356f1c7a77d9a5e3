"""The gateway's own shopper tokens: HS256 JWTs keyed from ``GATEWAY_SECRET``.

Why HS256 and not a per-process asymmetric key: these tokens are issued and
checked only by the gateway itself, and every replica already shares
``GATEWAY_SECRET``, so a key derived from it verifies on every replica with no
key distribution at all, while a per-process EdDSA/ES256 key would verify only
on the replica that signed. Nobody else needs to verify them, so a public key
buys nothing; HMAC verification is also the cheapest (a few microseconds). The
key is derived for this one purpose (HMAC of the secret with a label), so a
token key can never be confused with the order-id key.

Claims: ``iss``, ``aud``, ``sub`` (customer id), ``store`` (store hash),
``channel``, ``iat``, ``exp``, ``jti``. Verification (PyJWT) checks the
signature with HS256 only (so ``alg: none`` and any other algorithm fail), the
issuer, audience, expiry and issue time (10 s leeway for clock skew between
replicas), then the store hash: a token from another store's gateway, even one
sharing the secret, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from typing import Any

import jwt

from gateway.domain.identity import IssuedToken, ShopperIdentity, TokenSource, unauthenticated

ALGORITHM = "HS256"
ISSUER = "checkout-gateway"
AUDIENCE = "checkout-gateway/shopper"
KEY_ID = "gw-shopper-1"  # names the derivation below; a rotation would add gw-shopper-2
LEEWAY_S = 10.0
CLAIMS = ["iss", "aud", "sub", "store", "channel", "iat", "exp", "jti"]


def token_key(secret: bytes) -> bytes:
    return hmac.digest(secret, b"shopper-token-key|" + KEY_ID.encode(), hashlib.sha256)


class OwnTokens:
    def __init__(
        self,
        secret: bytes,
        store_hash: str,
        channel_id: int,
        ttl_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = token_key(secret)
        self._store_hash = store_hash
        self._channel_id = channel_id
        self._ttl_s = ttl_s
        self._clock = clock  # issuance only: PyJWT checks expiry against the real clock
        self._jwt = jwt.PyJWT(options={"require": CLAIMS, "strict_aud": True})

    def issue(self, customer_id: int) -> IssuedToken:
        now = int(self._clock())
        identity = ShopperIdentity(
            customer_id=customer_id,
            store_hash=self._store_hash,
            channel_id=self._channel_id,
            issued_at=now,
            expires_at=now + math.ceil(self._ttl_s),
            token_id=secrets.token_urlsafe(16),
            source=TokenSource.OWN,
        )
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(customer_id),
            "store": identity.store_hash,
            "channel": identity.channel_id,
            "iat": identity.issued_at,
            "exp": identity.expires_at,
            "jti": identity.token_id,
        }
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": KEY_ID})
        return IssuedToken(token, identity)

    def verify(self, token: str) -> ShopperIdentity:
        """The identity in a genuine token of this store; ``UNAUTHENTICATED`` otherwise."""
        try:
            claims = self._jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=LEEWAY_S,
            )
            return self._identity(claims)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            raise unauthenticated() from None

    def _identity(self, claims: dict[str, Any]) -> ShopperIdentity:
        if claims["store"] != self._store_hash:
            raise ValueError("another store's token")
        sub, channel = claims["sub"], claims["channel"]
        if not (isinstance(sub, str) and sub.isascii() and sub.isdigit() and int(sub) > 0):
            raise ValueError("subject is not a customer id")
        if not isinstance(channel, int) or isinstance(channel, bool):
            raise ValueError("channel is not a number")
        return ShopperIdentity(
            customer_id=int(sub),
            store_hash=self._store_hash,
            channel_id=channel,
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
            token_id=str(claims["jti"]),
            source=TokenSource.OWN,
        )
