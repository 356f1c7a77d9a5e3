"""Microseconds per shopper-token verification (issue 11: verify in microseconds, no upstream call).

    python -m bench.shopper_tokens [--rounds N]

Prints one line per case: ``ShopperTokenService.verify`` as a request pays it
(the shopper's token seen before: hash, cache hit, expiry and in-memory
revocation check), then a token's first sight: PyJWT's signature and claims
checks for the gateway's own HS256 token and for a federated graph's RS256 and
ES256 tokens (key set cached after one fetch from aiohttp on 127.0.0.1). A Redis
revocation store adds one loopback ``PTTL`` round trip to every case.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.settings import ExternalShopperJwt
from gateway.stores.revocations import MemoryRevokedTokens
from gateway.tokens.external_tokens import ExternalTokens
from gateway.tokens.jwks import JwksKeys
from gateway.tokens.own_tokens import OwnTokens
from gateway.tokens.service import ShopperTokenService

ISSUER, AUDIENCE = "https://router.bench/", "checkout-gateway"


async def per_call_us(call: Callable[[], Awaitable[object]], rounds: int) -> float:
    for _ in range(min(1000, rounds)):  # warm-up
        await call()
    started = time.perf_counter()
    for _ in range(rounds):
        await call()
    return (time.perf_counter() - started) / rounds * 1e6


async def main(rounds: int) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    jwks = {
        "keys": [
            {
                **jwt.get_algorithm_by_name("RS256").to_jwk(rsa_key.public_key(), as_dict=True),
                "kid": "rsa",
            },
            {
                **jwt.get_algorithm_by_name("ES256").to_jwk(ec_key.public_key(), as_dict=True),
                "kid": "ec",
            },
        ]
    }

    async def serve(_: web.Request) -> web.Response:
        return web.json_response(jwks)

    app = web.Application()
    app.router.add_get("/jwks.json", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/jwks.json"

    keys = JwksKeys(url)
    own = OwnTokens(b"bench-secret-0123456789abcdef", "bench", 1, 3600)
    external = ExternalTokens(ExternalShopperJwt(url, ISSUER, AUDIENCE), keys, "bench", 1)
    service = ShopperTokenService(own, MemoryRevokedTokens(), external)
    try:
        token = own.issue(1).token
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "bc_customer_id": 1,
            "iat": now,
            "exp": now + 3600,
            "jti": "bench",
        }
        rs256 = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "rsa"})
        es256 = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "ec"})

        async def own_only() -> object:
            return own.verify(token)

        rs256_header, es256_header = (
            jwt.get_unverified_header(rs256),
            jwt.get_unverified_header(es256),
        )
        cases: list[tuple[str, Callable[[], Awaitable[object]]]] = [
            ("per request: token seen before (service.verify)", lambda: service.verify(token)),
            ("first sight: own HS256 signature + claims", own_only),
            (
                "first sight: external RS256 signature + claims",
                lambda: external.verify(rs256, rs256_header),
            ),
            (
                "first sight: external ES256 signature + claims",
                lambda: external.verify(es256, es256_header),
            ),
        ]
        for name, call in cases:
            print(f"{name:50s} {await per_call_us(call, rounds):8.1f} us per verify")
    finally:
        await keys.close()
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().rounds))
