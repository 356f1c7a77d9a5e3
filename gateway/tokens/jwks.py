"""A federated graph's JSON Web Key Set, fetched with aiohttp and kept in memory.

Why this shape: verification must not call out per request, so the key set is
cached and looked up by ``kid``. An identity provider rotates keys by publishing
a new one, so an unknown ``kid`` triggers a refresh; but a flood of tokens with
made-up ``kid`` values must not turn into a flood of fetches, so refreshes are
single-flight (one lock) and at most one per ``min_refresh_interval_s``. The set
is also refreshed when older than ``max_age_s``; a failed fetch keeps the keys
already known (a provider outage does not sign everyone out).

Only asymmetric public keys are kept: ``oct`` (shared-secret) keys and keys
whose ``alg`` is not asymmetric are dropped before PyJWT parses the set, so an
HMAC token can never be checked against a published key. PyJWT's ``PyJWK`` parses
the keys (no hand-written key parsing).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import jwt
import orjson

log = logging.getLogger("gateway.tokens")

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
ASYMMETRIC_KEY_TYPES = frozenset({"RSA", "EC", "OKP"})
MAX_JWKS_BYTES = 256 * 1024


class JwksUnavailable(Exception):
    """The key set could not be fetched or parsed (the reason is logged, never a token)."""


class JwksKeys:
    def __init__(
        self,
        url: str,
        session: aiohttp.ClientSession | None = None,
        *,
        max_age_s: float = 300.0,
        min_refresh_interval_s: float = 30.0,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._session = session
        self._owns_session = session is None
        self._max_age_s = max_age_s
        self._min_refresh_interval_s = min_refresh_interval_s
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock
        self._lock = asyncio.Lock()
        self._keys: dict[str | None, dict[str, Any]] = {}  # kid -> the JWK's JSON
        self._parsed: dict[tuple[str | None, str], jwt.PyJWK] = {}  # (kid, alg) -> key
        self._loaded_at = -math.inf
        self._attempted_at = -math.inf
        self.fetches = 0  # fetch attempts, for metrics and tests

    async def find(self, kid: str | None, algorithm: str) -> jwt.PyJWK | None:
        """The public key for ``kid`` usable with ``algorithm``, or None."""
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            return None
        if self._clock() - self._loaded_at >= self._max_age_s:
            await self._refresh()
        jwk = self._lookup(kid)
        if jwk is None:
            await self._refresh()  # a rotation, or a made-up kid (rate-limited)
            jwk = self._lookup(kid)
        if jwk is None:
            return None
        return self._parse(kid if kid is not None else jwk.get("kid"), jwk, algorithm)

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _lookup(self, kid: str | None) -> dict[str, Any] | None:
        if kid is None and len(self._keys) == 1:  # a set of one key needs no kid
            return next(iter(self._keys.values()))
        return self._keys.get(kid) if kid is not None else None

    def _parse(self, kid: str | None, jwk: dict[str, Any], algorithm: str) -> jwt.PyJWK | None:
        declared = jwk.get("alg")
        if declared is not None and declared != algorithm:
            return None
        cached = self._parsed.get((kid, algorithm))
        if cached is None:
            try:
                cached = jwt.PyJWK(jwk, algorithm)  # refuses a key of another family
            except jwt.PyJWTError:
                return None
            self._parsed[(kid, algorithm)] = cached
        return cached

    async def _refresh(self) -> None:
        async with self._lock:
            if self._clock() - self._attempted_at < self._min_refresh_interval_s:
                return  # someone just fetched (or failed to): use what is known
            self._attempted_at = self._clock()
            self.fetches += 1
            try:
                keys = await self._fetch()
            except JwksUnavailable as exc:
                log.warning("shopper JWKS refresh failed: %s", exc)
                return
            self._keys = keys
            self._parsed = {}
            self._loaded_at = self._clock()

    async def _fetch(self) -> dict[str | None, dict[str, Any]]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.get(
                self._url, timeout=self._timeout, allow_redirects=False
            ) as response:
                if response.status != 200:
                    raise JwksUnavailable(f"HTTP {response.status}")
                body = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise JwksUnavailable(f"key set larger than {MAX_JWKS_BYTES} bytes")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise JwksUnavailable(type(exc).__name__) from None
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise JwksUnavailable("not JSON") from None
        return usable_keys(document)


def usable_keys(document: Any) -> dict[str | None, dict[str, Any]]:
    """The set's asymmetric public keys by kid; ``JwksUnavailable`` when there are none."""
    listed = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(listed, list):
        raise JwksUnavailable("no keys list")
    candidates = [
        key
        for key in listed
        if isinstance(key, dict)
        and key.get("kty") in ASYMMETRIC_KEY_TYPES
        and key.get("alg", "RS256") in ASYMMETRIC_ALGORITHMS
        and key.get("use", "sig") == "sig"
        and "d" not in key  # a private key published by mistake is not used
    ]
    usable = {key.get("kid"): key for key in candidates if _parses(key)}
    if not usable:
        raise JwksUnavailable("no usable asymmetric key")
    return usable


def _parses(key: dict[str, Any]) -> bool:
    try:
        jwt.PyJWK(key)
    except jwt.PyJWTError:
        return False
    return True
