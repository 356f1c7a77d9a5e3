"""A federated graph's own shopper JWTs, verified against its published key set.

Why asymmetric only: the key set is public, so an HMAC token "signed" with a
published key would be a forgery anyone can make; ``alg: none`` is no signature
at all. The token's ``alg`` must be one of ``ASYMMETRIC_ALGORITHMS`` and match
the key found by ``kid`` (PyJWT checks the key family), so neither can slip in.

The router already authenticated the shopper; we still check the signature,
issuer, audience, expiry (10 s leeway) and read the customer id from the
configured claim (``bc_customer_id`` by default). Such a token names no store,
so it is bound to this gateway's store by its issuer and audience: the
operator configures both for this store only. It has no ``jti`` of ours: its
own is used for revocation, else a hash of the token (never the token).
"""

from __future__ import annotations

import hashlib
from typing import Any

import jwt

from gateway.domain.identity import ShopperIdentity, TokenSource, unauthenticated
from gateway.settings import ExternalShopperJwt
from gateway.tokens.jwks import ASYMMETRIC_ALGORITHMS, JwksKeys

LEEWAY_S = 10.0


class ExternalTokens:
    def __init__(
        self, config: ExternalShopperJwt, keys: JwksKeys, store_hash: str, channel_id: int
    ) -> None:
        self._config = config
        self._keys = keys
        self._store_hash = store_hash
        self._channel_id = channel_id
        self._jwt = jwt.PyJWT(options={"require": ["iss", "aud", "exp"]})

    async def verify(self, token: str, header: dict[str, Any]) -> ShopperIdentity:
        algorithm = header.get("alg")
        kid = header.get("kid")
        if algorithm not in ASYMMETRIC_ALGORITHMS or not (kid is None or isinstance(kid, str)):
            raise unauthenticated()
        key = await self._keys.find(kid, algorithm)
        if key is None:
            raise unauthenticated()
        try:
            claims = self._jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._config.audience,
                issuer=self._config.issuer,
                leeway=LEEWAY_S,
            )
            return self._identity(token, claims)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            raise unauthenticated() from None

    def _identity(self, token: str, claims: dict[str, Any]) -> ShopperIdentity:
        customer_id = customer_id_of(claims.get(self._config.customer_claim))
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            jti = "sha256:" + hashlib.sha256(token.encode()).hexdigest()
        iat = claims.get("iat", 0)
        return ShopperIdentity(
            customer_id=customer_id,
            store_hash=self._store_hash,
            channel_id=self._channel_id,
            issued_at=int(iat) if isinstance(iat, int | float) else 0,
            expires_at=int(claims["exp"]),
            token_id=jti,
            source=TokenSource.EXTERNAL,
        )


def customer_id_of(value: object) -> int:
    """A positive BigCommerce customer id, given as a number or a string of digits."""
    if isinstance(value, bool):
        raise ValueError("no customer id")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or value <= 0:
        raise ValueError("no customer id")
    return value
