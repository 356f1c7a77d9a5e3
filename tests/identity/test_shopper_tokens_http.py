"""Shopper tokens at the HTTP edge: every bad token is HTTP 401 ``UNAUTHENTICATED``, and a
federated graph's RS256 JWT (verified against a JWKS served here on loopback) is its
shopper's token.

One gateway of our own: it knows its secret (so the test can sign expired and
wrong-store tokens with the real key) and trusts the key set served by this module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
import pytest_asyncio
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.bootstrap import create_app
from gateway.sandbox import SandboxServer
from gateway.settings import Settings
from gateway.tokens.own_tokens import OwnTokens
from tests import live_gateway as live
from tests.flow import MINTED_TOKENS, no_errors, shopper_headers, sign_in
from tests.graphql_ops import Operations

SECRET = "shopper-tokens-test-secret-0123456789"
ISSUER = "https://router.example.test/"
AUDIENCE = "checkout-gateway"
KID = "router-key-1"


@dataclass
class Setup:
    gateway: live.LiveGateway
    settings: Settings
    private_key: rsa.RSAPrivateKey
    public_pem: bytes


async def _serve_jwks(jwk: dict[str, Any]) -> tuple[web.AppRunner, str]:
    async def keys(_request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    app = web.Application()
    app.router.add_get("/jwks.json", keys)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/jwks.json"


@pytest_asyncio.fixture
async def setup(sandbox: SandboxServer) -> AsyncIterator[Setup]:
    from cryptography.hazmat.primitives import serialization

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    algorithm = jwt.get_algorithm_by_name("RS256")
    jwk = {**algorithm.to_jwk(private_key.public_key(), as_dict=True), "kid": KID, "use": "sig"}
    runner, jwks_url = await _serve_jwks(jwk)
    settings = live.gateway_settings(
        sandbox,
        GATEWAY_SECRET=SECRET,
        GATEWAY_SHOPPER_JWKS_URL=jwks_url,
        GATEWAY_SHOPPER_JWT_ISSUER=ISSUER,
        GATEWAY_SHOPPER_JWT_AUDIENCE=AUDIENCE,
    )
    server, task, url = await live.serve(create_app(settings))
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        async with aiohttp.ClientSession() as http:
            gateway = live.LiveGateway(url, http, sandbox, Operations.load(), None)
            yield Setup(gateway, settings, private_key, public_pem)
    finally:
        await live.stop(server, task)
        await runner.cleanup()


def _router_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "router|jane",
        "bc_customer_id": 1,
        "iat": now,
        "exp": now + 600,
        **overrides,
    }


def _router_token(setup: Setup, **overrides: Any) -> str:
    token = jwt.encode(
        _router_claims(**overrides), setup.private_key, algorithm="RS256", headers={"kid": KID}
    )
    MINTED_TOKENS.append(token)
    return token


def _hmac_signed(claims: dict[str, Any], key: bytes) -> str:
    """The classic key-confusion forgery: HS256 "signed" with the published public key
    (PyJWT refuses to make one, so it is put together by hand)."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = {"alg": "HS256", "typ": "JWT", "kid": KID}
    signing_input = f"{part(json.dumps(header).encode())}.{part(json.dumps(claims).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{part(signature)}"


async def _status_and_code(gateway: live.LiveGateway, token: str) -> tuple[int, str | None]:
    status, answer = await gateway.post(
        {"query": gateway.ops.document, "operationName": "Shopper"}, shopper_headers(token)
    )
    errors = answer.get("errors") or [{}]
    return status, (errors[0].get("extensions") or {}).get("code")


async def test_a_federated_graphs_jwt_reaches_its_shoppers_instruments(setup: Setup) -> None:
    token = _router_token(setup)
    answer = await setup.gateway.run("Shopper", {}, shopper_headers(token))
    shopper = answer["data"]["shopper"]
    assert shopper["customerId"] == 1
    card = next(i for i in shopper["storedInstruments"] if i["__typename"] == "StoredCard")
    assert card["last4"] == "1111"
    # Signing out revokes the router's token here too (by its jti, else its hash).
    no_errors((await setup.gateway.run("SignOut", {}, shopper_headers(token)))["data"]["signOut"])
    assert await _status_and_code(setup.gateway, token) == (401, "UNAUTHENTICATED")


async def test_every_bad_token_is_401_unauthenticated(setup: Setup) -> None:
    settings = setup.settings
    store, channel = settings.store_hash, settings.channel_id
    past = time.time() - 7200
    good = await sign_in(setup.gateway, 1)
    head, body, signature = good.split(".")
    revoked = await sign_in(setup.gateway, 1)
    no_errors((await setup.gateway.run("SignOut", {}, shopper_headers(revoked)))["data"]["signOut"])
    now = int(time.time())
    own_claims = {
        "iss": "checkout-gateway",
        "aud": "checkout-gateway/shopper",
        "sub": "1",
        "store": store,
        "channel": channel,
        "iat": now,
        "exp": now + 600,
        "jti": "forged-1",
    }
    bad = {
        "garbage": "not-a-jwt",
        "forged": OwnTokens(b"another-secret-0123456789", store, channel, 600).issue(1).token,
        "expired": OwnTokens(SECRET.encode(), store, channel, 60, clock=lambda: past)
        .issue(1)
        .token,
        "wrong store": OwnTokens(SECRET.encode(), "another-store", channel, 600).issue(1).token,
        "revoked": revoked,
        "tampered": f"{head}.{body[:-2]}{'AB' if body[-2:] != 'AB' else 'CD'}.{signature}",
        "alg none": jwt.encode(own_claims, "", algorithm="none"),
        "external HMAC with the public key": _hmac_signed(_router_claims(), setup.public_pem),
        "external HS512": jwt.encode(_router_claims(), "k" * 64, algorithm="HS512"),
        "external, wrong issuer": _router_token(setup, iss="https://elsewhere.example.test/"),
        "external, expired": _router_token(setup, exp=int(past), iat=int(past) - 60),
        "external, no customer": _router_token(setup, bc_customer_id=None),
    }
    MINTED_TOKENS.extend(bad.values())
    for name, token in bad.items():
        assert await _status_and_code(setup.gateway, token) == (401, "UNAUTHENTICATED"), name
    # The good token still works, and no token at all is a guest.
    assert await _status_and_code(setup.gateway, good) == (200, None)
    status, answer = await setup.gateway.post(
        {"query": setup.gateway.ops.document, "operationName": "Shopper"}
    )
    assert (status, answer["data"]["shopper"]) == (200, None)
