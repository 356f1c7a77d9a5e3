"""A federated graph's JWTs, checked against a JWKS served by a real aiohttp server on loopback."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import orjson
import pytest
import pytest_asyncio
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from gateway.domain.identity import TokenSource
from gateway.errors import ErrorCode, GatewayError
from gateway.settings import ExternalShopperJwt
from gateway.stores.revocations import MemoryRevokedTokens
from gateway.tokens.external_tokens import ExternalTokens
from gateway.tokens.jwks import JwksKeys
from gateway.tokens.own_tokens import OwnTokens
from gateway.tokens.service import ShopperTokenService

ISSUER = "https://router.example.test/"
AUDIENCE = "checkout-gateway"
STORE = "abc123"


class JwksServer:
    """Serves ``keys`` at /jwks.json and counts the fetches."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        self.status = 200
        self.chunked = False  # send the body in pieces, as a slow network would
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/jwks.json", self._serve)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/jwks.json"

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        self.fetches += 1
        if self.status != 200:
            return web.Response(status=self.status)
        if not self.chunked:
            return web.json_response({"keys": self.keys})
        body = orjson.dumps({"keys": self.keys})
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for start in range(0, len(body), 16 * 1024):
            await response.write(body[start : start + 16 * 1024])
            await asyncio.sleep(0.005)
        await response.write_eof()
        return response

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Signer:
    """A private key of the graph's identity provider and its public JWK."""

    def __init__(self, kid: str, private: Any, algorithm: str) -> None:
        self.kid = kid
        self.private = private
        self.algorithm = algorithm
        algo = jwt.get_algorithm_by_name(algorithm)
        self.jwk: dict[str, Any] = {
            **algo.to_jwk(private.public_key(), as_dict=True),
            "kid": kid,
            "use": "sig",
        }

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode(
            claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid, **header}
        )


@functools.cache
def rsa_key(slot: int) -> rsa.RSAPrivateKey:
    """A few RSA keys for the whole module (making one takes a while)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rsa_signer(kid: str, algorithm: str = "RS256", slot: int = 0) -> Signer:
    return Signer(kid, rsa_key(slot), algorithm)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "auth0|jane",
        "bc_customer_id": 1,
        "iat": now,
        "exp": now + 600,
        "jti": "router-token-1",
        **overrides,
    }


@pytest_asyncio.fixture
async def server() -> AsyncIterator[JwksServer]:
    server = JwksServer()
    await server.start()
    yield server
    await server.close()


class Setup:
    def __init__(self, server: JwksServer, clock: Clock) -> None:
        self.keys = JwksKeys(server.url, clock=clock, min_refresh_interval_s=30, max_age_s=300)
        config = ExternalShopperJwt(server.url, ISSUER, AUDIENCE)
        self.external = ExternalTokens(config, self.keys, STORE, 1)
        own = OwnTokens(b"s" * 32, STORE, 1, 3600)
        self.tokens = ShopperTokenService(own, MemoryRevokedTokens(), self.external)


@pytest_asyncio.fixture
async def setup(server: JwksServer) -> AsyncIterator[tuple[Setup, Clock]]:
    clock = Clock()
    made = Setup(server, clock)
    yield made, clock
    await made.keys.close()


async def refused(tokens: ShopperTokenService, token: str) -> None:
    with pytest.raises(GatewayError) as caught:
        await tokens.verify(token)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED


async def test_rsa_ec_and_eddsa_tokens_verify(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signers = [
        rsa_signer("rsa-1"),
        rsa_signer("rsa-pss", "PS256"),
        Signer("ec-1", ec.generate_private_key(ec.SECP256R1()), "ES256"),
        Signer("ec-384", ec.generate_private_key(ec.SECP384R1()), "ES384"),
        Signer("ed-1", ed25519.Ed25519PrivateKey.generate(), "EdDSA"),
    ]
    server.keys = [s.jwk for s in signers]
    for number, signer in enumerate(signers, start=1):
        identity = await made.tokens.verify(signer.sign(claims(bc_customer_id=number)))
        assert identity.customer_id == number
        assert identity.source is TokenSource.EXTERNAL
        assert identity.store_hash == STORE
        assert identity.token_id == "router-token-1"
    assert server.fetches == 1  # one fetch served them all
    # The customer id may come as a string of digits too.
    assert (await made.tokens.verify(signers[0].sign(claims(bc_customer_id="2")))).customer_id == 2


async def test_wrong_issuer_audience_expiry_or_customer_claim_is_refused(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    now = int(time.time())
    for bad in (
        {"iss": "https://other.example.test/"},
        {"aud": "another-service"},
        {"exp": now - 60, "iat": now - 700},
        {"bc_customer_id": 0},
        {"bc_customer_id": "one"},
        {"bc_customer_id": True},
        {"bc_customer_id": None},
    ):
        await refused(made.tokens, signer.sign(claims(**bad)))


async def test_hmac_signed_external_tokens_are_refused(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signer = rsa_signer("rsa-1")
    shared = "a-shared-secret-published-as-an-oct-key-000000000"
    oct_key = {"kty": "oct", "kid": "shared", "k": jwt.utils.base64url_encode(shared.encode())}
    server.keys = [signer.jwk, {**oct_key, "alg": "HS256"}]
    # HS256 with the published oct key.
    await refused(made.tokens, jwt.encode(claims(), shared, headers={"kid": "shared"}))
    # HS256 with the RSA public key's PEM as the secret (the classic confusion).
    pem = signer.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = jwt.utils.base64url_encode(orjson.dumps({"alg": "HS256", "kid": "rsa-1"}))
    body = jwt.utils.base64url_encode(orjson.dumps(claims()))
    mac = hmac.digest(pem, header + b"." + body, hashlib.sha256)
    token = b".".join((header, body, jwt.utils.base64url_encode(mac))).decode()
    await refused(made.tokens, token)
    # And the external verifier alone refuses any HMAC header before touching a key.
    fetched = server.fetches
    with pytest.raises(GatewayError):
        await made.external.verify(token, {"alg": "HS256", "kid": "rsa-1"})
    assert server.fetches == fetched


async def test_alg_none_external_token_is_refused(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    server.keys = [rsa_signer("rsa-1").jwk]
    unsigned = jwt.api_jws.PyJWS().encode(b"{}", "", algorithm="none")
    header = unsigned.split(".")[0]
    body = jwt.utils.base64url_encode(orjson.dumps(claims())).decode()
    await refused(made.tokens, f"{header}.{body}.")


async def test_a_key_of_another_family_is_not_used(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, clock = setup
    rsa_public = rsa_signer("shared-kid")
    ec_key = Signer("shared-kid", ec.generate_private_key(ec.SECP256R1()), "ES256")
    server.keys = [rsa_public.jwk]  # the set says shared-kid is an RSA key
    await refused(made.tokens, ec_key.sign(claims()))
    # A key that declares its algorithm is used with that algorithm only.
    pss = rsa_signer("declared", "PS256")
    server.keys = [{**pss.jwk, "alg": "RS256"}]
    clock.now += 301  # stale: the next lookup refreshes
    await refused(made.tokens, pss.sign(claims()))
    assert (await made.tokens.verify(rsa_signer("declared").sign(claims()))).customer_id == 1


async def test_unknown_kid_refreshes_once_and_a_flood_of_bad_kids_does_not_hammer_the_jwks(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, clock = setup
    old, new = rsa_signer("2024"), rsa_signer("2025", slot=1)
    server.keys = [old.jwk]
    await made.tokens.verify(old.sign(claims()))
    assert server.fetches == 1
    clock.now += 31  # the provider rotates its key; the gateway has not looked for a while
    server.keys = [old.jwk, new.jwk]
    assert (await made.tokens.verify(new.sign(claims()))).customer_id == 1
    assert server.fetches == 2
    # Made-up kids right after: no fetch at all (the last one was less than 30 s ago).
    for number in range(20):
        await refused(made.tokens, rsa_signer(f"bogus-{number}").sign(claims()))
    assert server.fetches == 2
    # Later, many at once: one fetch between them.
    clock.now += 31
    bogus = rsa_signer("bogus")
    results = await asyncio.gather(
        *(made.tokens.verify(bogus.sign(claims())) for _ in range(10)), return_exceptions=True
    )
    assert all(isinstance(r, GatewayError) for r in results)
    assert server.fetches == 3


async def test_a_failing_jwks_keeps_the_known_keys(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, clock = setup
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    await made.tokens.verify(signer.sign(claims()))
    server.status = 503
    clock.now += 301  # past max age: a refresh is due, and fails
    another = signer.sign(claims(jti="router-token-2"))  # not one verified before
    assert (await made.tokens.verify(another)).customer_id == 1
    assert server.fetches == 2


async def test_a_jwks_with_no_asymmetric_key_verifies_nothing(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signer = rsa_signer("rsa-1")
    private_jwk = jwt.get_algorithm_by_name("RS256").to_jwk(signer.private, as_dict=True)
    server.keys = [
        {"kty": "oct", "kid": "rsa-1", "k": "c2VjcmV0"},
        {**private_jwk, "kid": "rsa-1"},  # a private key published by mistake is not used
    ]
    await refused(made.tokens, signer.sign(claims()))


async def test_an_external_token_can_be_revoked(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    token = signer.sign(claims())
    await made.tokens.revoke(await made.tokens.verify(token))
    await refused(made.tokens, token)
    # Without a jti of its own, the token's hash stands in for it.
    anonymous = signer.sign({k: v for k, v in claims().items() if k != "jti"})
    identity = await made.tokens.verify(anonymous)
    assert identity.token_id.startswith("sha256:")
    assert anonymous not in identity.token_id


async def test_a_large_key_set_is_read_whole_and_an_oversized_one_is_refused(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, clock = setup
    signer = rsa_signer("wanted")
    filler = [{**signer.jwk, "kid": f"filler-{n}"} for n in range(700)]
    server.chunked = True
    server.keys = [*filler[:200], signer.jwk]  # ~100 kB in 16 kB pieces: several reads
    assert (await made.tokens.verify(signer.sign(claims()))).customer_id == 1
    server.keys = [*filler, {**signer.jwk, "kid": "late"}]  # ~350 kB: over the limit
    clock.now += 31
    await refused(made.tokens, rsa_signer("late").sign(claims()))
    assert server.fetches == 2


async def test_an_identity_carries_the_channel_and_the_times_the_token_gives(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    now = int(time.time())
    identity = await made.tokens.verify(signer.sign(claims(iat=now - 5.5, exp=now + 60)))
    assert (identity.channel_id, identity.issued_at, identity.expires_at) == (
        1,
        int(now - 5.5),
        now + 60,
    )
    no_iat = claims()
    del no_iat["iat"]
    assert (await made.tokens.verify(signer.sign(no_iat))).issued_at == 0
    odd_iat = await made.tokens.verify(signer.sign(claims(iat=now, jti="")))
    assert odd_iat.token_id.startswith("sha256:")  # an empty jti is no id: the token's hash is


async def test_a_token_without_expiry_is_refused_and_a_just_expired_one_is_not(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    forever = claims()
    del forever["exp"]
    await refused(made.tokens, signer.sign(forever))
    now = int(time.time())
    skewed = await made.tokens.verify(signer.sign(claims(exp=now - 5, iat=now - 600)))
    assert skewed.customer_id == 1  # within the 10 s allowed for clock skew


async def test_a_token_without_a_key_id_is_checked_with_the_only_key(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    unnamed = jwt.encode(claims(), signer.private, algorithm="RS256")  # no kid: the only key
    assert (await made.tokens.verify(unnamed)).customer_id == 1


async def test_an_issue_time_given_as_text_is_not_taken_as_one(
    server: JwksServer, setup: tuple[Setup, Clock]
) -> None:
    made, _ = setup
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    # PyJWT accepts "iat": "<digits>" (it converts it); the identity does not trust it.
    texted = await made.tokens.verify(signer.sign(claims(iat=str(int(time.time()) - 5))))
    assert (texted.customer_id, texted.issued_at) == (1, 0)
