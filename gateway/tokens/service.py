"""The ``ShopperTokens`` port: issue our tokens, verify any token, revoke on sign-out.

Why route on the header's ``alg``: our own tokens are HS256 and external ones
are asymmetric by rule, so the algorithm alone picks the verifier, with one
header parse and no trust in anything else the token says. An HS256 token goes
only to our own key (a forged "external" HMAC token fails there); an asymmetric
one only to the federated graph's key set, and only when one is configured;
anything else (``none`` included) is refused before any key is touched. After
the signature and claims, the token id is checked against the revocation store.
Every refusal is the same ``UNAUTHENTICATED``: a client learns nothing of why.

Why a cache of verified tokens: a shopper sends the same token on every
request, and PyJWT's checks cost tens of microseconds (base64 alphabet checks,
key preparation) where a hash and a dict lookup cost about one. The cache is
keyed by the token's SHA-256 (it holds no token), keeps only what verification
concluded, never outlives the token's expiry (checked on every hit) nor
``CACHE_TTL_S`` (so a key dropped from a federated graph's set stops counting
soon), and the revocation check still runs on every request.

Why a plain dict rather than cachetools' TTLCache: the lookup is on every signed-in
request, and TTLCache's timer context and linked-list bookkeeping were most of the
token's cost per request in a py-spy profile (~3 µs of ~4); a dict hit and one
comparison cost a fraction of that. Only verified tokens get in (each one a sign-in or
a signature check), and when full the oldest entry goes first.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import aiohttp
import jwt

from gateway.domain.identity import IssuedToken, ShopperIdentity, unauthenticated
from gateway.domain.ports import RevokedTokens
from gateway.settings import Settings
from gateway.tokens.external_tokens import ExternalTokens
from gateway.tokens.jwks import ASYMMETRIC_ALGORITHMS, JwksKeys
from gateway.tokens.own_tokens import ALGORITHM as OWN_ALGORITHM
from gateway.tokens.own_tokens import OwnTokens

MAX_TOKEN_CHARS = 8192  # far above any real JWT; bounds the work of a junk header
LEEWAY_S = 10.0  # as the verifiers' own expiry check
CACHE_TTL_S = 300.0
CACHE_SIZE = 50_000


class ShopperTokenService:
    def __init__(
        self,
        own: OwnTokens,
        revoked: RevokedTokens,
        external: ExternalTokens | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._own = own
        self._revoked = revoked
        self._external = external
        self._clock = clock
        # SHA-256 of a token -> (what verifying it concluded, monotonic time it is kept until)
        self._verified: dict[bytes, tuple[ShopperIdentity, float]] = {}

    def issue(self, customer_id: int) -> IssuedToken:
        return self._own.issue(customer_id)

    async def verify(self, token: str) -> ShopperIdentity:
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise unauthenticated()
        digest = hashlib.sha256(token.encode()).digest()
        seen = self._verified.get(digest)
        if seen is None or seen[1] <= time.monotonic():
            identity = await self._verify_signed(token)
            self._remember(digest, identity)
        else:
            identity = seen[0]
            if identity.expires_at <= self._clock() - LEEWAY_S:
                self._verified.pop(digest, None)
                raise unauthenticated()
        if await self._revoked.is_revoked(identity.token_id):
            raise unauthenticated()
        return identity

    def _remember(self, digest: bytes, identity: ShopperIdentity) -> None:
        self._verified.pop(digest, None)  # a refreshed entry moves to the young end
        while len(self._verified) >= CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest first
        self._verified[digest] = (identity, time.monotonic() + CACHE_TTL_S)

    async def _verify_signed(self, token: str) -> ShopperIdentity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise unauthenticated() from None
        algorithm = header.get("alg")
        if algorithm == OWN_ALGORITHM:
            identity = self._own.verify(token)
        elif self._external is not None and algorithm in ASYMMETRIC_ALGORITHMS:
            identity = await self._external.verify(token, header)
        else:
            raise unauthenticated()
        return identity

    async def revoke(self, identity: ShopperIdentity) -> None:
        await self._revoked.revoke(identity.token_id, identity.expires_at)


def shopper_tokens_from_settings(
    settings: Settings,
    revoked: RevokedTokens,
    session: aiohttp.ClientSession | None = None,
) -> tuple[ShopperTokenService, JwksKeys | None]:
    """The service for these settings, and the key set to close at shutdown (if any)."""
    own = OwnTokens(
        settings.secret, settings.store_hash, settings.channel_id, settings.shopper_token_ttl_s
    )
    if settings.shopper_jwt is None:
        return ShopperTokenService(own, revoked), None
    keys = JwksKeys(settings.shopper_jwt.jwks_url, session)
    external = ExternalTokens(settings.shopper_jwt, keys, settings.store_hash, settings.channel_id)
    return ShopperTokenService(own, revoked, external), keys
