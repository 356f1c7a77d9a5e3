"""The gateway's own shopper tokens: round trip, and every way a bad token is refused."""

from __future__ import annotations

import base64
import time

import jwt
import orjson
import pytest

from gateway.domain.identity import ShopperIdentity, TokenSource
from gateway.errors import ErrorCode, GatewayError
from gateway.settings import Settings
from gateway.stores.revocations import MemoryRevokedTokens
from gateway.tokens.own_tokens import AUDIENCE, ISSUER, OwnTokens, token_key
from gateway.tokens.service import (
    MAX_TOKEN_CHARS,
    ShopperTokenService,
    shopper_tokens_from_settings,
)

SECRET = b"replicas-share-this-secret-0123456789"


STORE = "abc123"


def service(
    secret: bytes = SECRET, store: str = STORE, revoked: MemoryRevokedTokens | None = None
) -> ShopperTokenService:
    return ShopperTokenService(
        OwnTokens(secret, store, 1, 3600), revoked if revoked is not None else MemoryRevokedTokens()
    )


async def refused(tokens: ShopperTokenService, token: str) -> None:
    with pytest.raises(GatewayError) as caught:
        await tokens.verify(token)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
    assert token not in caught.value.message or not token


def segments(token: str) -> tuple[dict[str, object], dict[str, object], str]:
    header, payload, signature = token.split(".")
    return decode_part(header), decode_part(payload), signature


def decode_part(part: str) -> dict[str, object]:
    data: dict[str, object] = orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


def encode_part(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


async def test_round_trip_carries_store_customer_channel_times_and_id() -> None:
    tokens = service()
    issued = tokens.issue(42)
    identity = await tokens.verify(issued.token)
    assert identity == issued.identity
    assert identity == ShopperIdentity(
        customer_id=42,
        store_hash=STORE,
        channel_id=1,
        issued_at=identity.issued_at,
        expires_at=identity.issued_at + 3600,
        token_id=identity.token_id,
        source=TokenSource.OWN,
    )
    assert abs(identity.issued_at - time.time()) < 5
    header, claims, _ = segments(issued.token)
    assert header["alg"] == "HS256"
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["sub"] == "42"
    assert claims["store"] == STORE
    assert claims["jti"] == identity.token_id
    assert identity.expires_at_iso.endswith("Z")
    # Every token has its own id.
    assert tokens.issue(42).identity.token_id != identity.token_id


async def test_any_replica_sharing_the_secret_verifies_it() -> None:
    issued = service().issue(7)
    assert (await service().verify(issued.token)).customer_id == 7


async def test_tampered_claims_or_signature_are_refused() -> None:
    tokens = service()
    token = tokens.issue(2).token
    header, claims, signature = token.split(".")
    other_customer = encode_part({**decode_part(claims), "sub": "1"})
    await refused(tokens, f"{header}.{other_customer}.{signature}")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    await refused(tokens, f"{header}.{claims}.{flipped}")
    await refused(tokens, f"{header}.{claims}.")


async def test_expired_token_is_refused() -> None:
    past = time.time() - 2 * 3600
    expired = OwnTokens(SECRET, STORE, 1, 3600, clock=lambda: past).issue(1)
    await refused(service(), expired.token)
    # Within the 10 s leeway for replica clock skew it still holds.
    almost = time.time() - 3600 - 5
    await service().verify(OwnTokens(SECRET, STORE, 1, 3600, clock=lambda: almost).issue(1).token)


async def test_token_issued_in_the_future_is_refused() -> None:
    future = time.time() + 600
    await refused(service(), OwnTokens(SECRET, STORE, 1, 3600, clock=lambda: future).issue(1).token)


async def test_revoked_token_is_refused_until_it_expires() -> None:
    revoked = MemoryRevokedTokens()
    tokens = service(revoked=revoked)
    issued = tokens.issue(1)
    await tokens.revoke(await tokens.verify(issued.token))
    await refused(tokens, issued.token)
    assert len(revoked) == 1
    # Another token of the same shopper is unaffected.
    await tokens.verify(tokens.issue(1).token)


async def test_another_stores_token_is_refused_even_with_the_same_secret() -> None:
    await refused(service(store=STORE), service(store="other-store").issue(1).token)


async def test_another_secrets_token_is_refused() -> None:
    await refused(service(), service(secret=b"x" * 32).issue(1).token)


async def test_alg_none_is_refused() -> None:
    genuine = service().issue(1)
    _, claims, _ = genuine.token.split(".")
    unsigned = encode_part({"alg": "none", "typ": "JWT"})
    await refused(service(), f"{unsigned}.{claims}.")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_other_hmac_algorithms_with_our_key_are_refused() -> None:
    claims = segments(service().issue(1).token)[1]
    hs512 = jwt.encode(claims, token_key(SECRET), algorithm="HS512")
    await refused(service(), hs512)


async def test_our_claims_are_all_required() -> None:
    claims = segments(service().issue(1).token)[1]
    for missing in ("store", "jti", "exp", "aud", "iss", "sub", "channel", "iat"):
        partial = {k: v for k, v in claims.items() if k != missing}
        await refused(service(), jwt.encode(partial, token_key(SECRET), algorithm="HS256"))
    for bad in ({"sub": "0"}, {"sub": "x1"}, {"sub": 1}, {"channel": "1"}, {"aud": "other"}):
        await refused(
            service(), jwt.encode({**claims, **bad}, token_key(SECRET), algorithm="HS256")
        )


async def test_a_token_for_several_audiences_is_refused_even_with_ours_among_them() -> None:
    # A token minted for other services too (sharing the secret) is not a token for us.
    claims = segments(service().issue(1).token)[1]
    shared = {**claims, "aud": [AUDIENCE, "another-service"]}
    await refused(service(), jwt.encode(shared, token_key(SECRET), algorithm="HS256"))
    alone = {**claims, "aud": [AUDIENCE]}
    await refused(service(), jwt.encode(alone, token_key(SECRET), algorithm="HS256"))


async def test_junk_is_refused() -> None:
    tokens = service()
    for junk in ("", "abc", "a.b.c", "..", "Bearer x", "é.é.é", "a" * (MAX_TOKEN_CHARS + 1)):
        await refused(tokens, junk)
    token = tokens.issue(1).token
    await refused(tokens, token + "x" * MAX_TOKEN_CHARS)


async def test_asymmetric_token_is_refused_without_a_federated_key_set() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    claims = segments(service().issue(1).token)[1]
    signed = jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256")
    await refused(service(), signed)


def test_the_token_is_never_in_a_repr() -> None:
    issued = service().issue(1)
    assert issued.token not in repr(issued)
    assert issued.identity.token_id not in repr(issued.identity)


async def test_a_token_verified_before_still_expires_on_time() -> None:
    now = [time.time()]
    tokens = ShopperTokenService(
        OwnTokens(SECRET, STORE, 1, 3600), MemoryRevokedTokens(), clock=lambda: now[0]
    )
    issued = tokens.issue(1)
    assert (await tokens.verify(issued.token)).customer_id == 1
    now[0] = issued.identity.expires_at + 5  # within the leeway: the remembered answer holds
    assert (await tokens.verify(issued.token)).customer_id == 1
    now[0] = issued.identity.expires_at + 11
    await refused(tokens, issued.token)


async def test_a_token_verified_before_is_still_checked_for_revocation() -> None:
    tokens = service()
    issued = tokens.issue(1)
    for _ in range(3):
        await tokens.verify(issued.token)
    await tokens.revoke(issued.identity)
    await refused(tokens, issued.token)


async def test_the_cache_of_verified_tokens_is_bounded_and_forgets_the_oldest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gateway.tokens.service as token_service

    monkeypatch.setattr(token_service, "CACHE_SIZE", 2)
    tokens = service()
    issued = [tokens.issue(customer) for customer in (1, 2, 3)]
    for token in issued:
        assert (await tokens.verify(token.token)).customer_id == token.identity.customer_id
    assert len(tokens._verified) == 2  # the first token's entry went
    # A forgotten token is verified afresh, then remembered again.
    assert (await tokens.verify(issued[0].token)).customer_id == 1
    assert len(tokens._verified) == 2


async def test_a_remembered_token_is_verified_afresh_after_the_cache_ttl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = service()
    issued = tokens.issue(1)
    await tokens.verify(issued.token)
    checked: list[str] = []
    signed = tokens._verify_signed

    async def counting(token: str) -> ShopperIdentity:
        checked.append(token)
        return await signed(token)

    monkeypatch.setattr(tokens, "_verify_signed", counting)
    await tokens.verify(issued.token)
    assert checked == []  # a cache hit
    # CACHE_TTL_S later: every entry's time is up (the cache's own clock is monotonic).
    past = time.monotonic() - 1
    tokens._verified = {k: (identity, past) for k, (identity, _) in tokens._verified.items()}
    assert (await tokens.verify(issued.token)).customer_id == 1
    assert checked == [issued.token]


tokens = OwnTokens(SECRET, "abc123", 1, 3600)


def test_a_token_names_its_key_and_algorithm() -> None:
    issued = tokens.issue(42)
    assert jwt.get_unverified_header(issued.token) == {
        "alg": "HS256",
        "kid": "gw-shopper-1",
        "typ": "JWT",
    }


def test_issued_and_verified_identities_are_the_gateways_own() -> None:
    issued = tokens.issue(42)
    assert issued.identity.source is TokenSource.OWN
    verified = tokens.verify(issued.token)
    assert verified.source is TokenSource.OWN
    assert verified.customer_id == 42


def test_token_ids_are_unguessable_and_distinct() -> None:
    ids = {tokens.issue(42).identity.token_id for _ in range(50)}
    assert len(ids) == 50
    assert all(len(token_id) >= 22 for token_id in ids)  # 16 random bytes in base64url


def test_a_token_from_another_issuer_with_our_key_is_refused() -> None:
    claims = jwt.decode(
        tokens.issue(42).token, token_key(SECRET), algorithms=["HS256"], audience=AUDIENCE
    )
    forged = jwt.encode({**claims, "iss": "someone-else"}, token_key(SECRET), algorithm="HS256")
    with pytest.raises(GatewayError) as caught:
        tokens.verify(forged)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED


async def test_the_service_from_settings_issues_for_the_configured_store() -> None:
    env = {"GATEWAY_SECRET": "s" * 32, "BIGCOMMERCE_CHANNEL_ID": "7"}
    settings = Settings.from_env({**env, "GATEWAY_SHOPPER_TOKEN_TTL_S": "600"}).with_upstream(
        "http://127.0.0.1:1", "http://127.0.0.1:2", "store7", "token"
    )
    service, keys = shopper_tokens_from_settings(settings, MemoryRevokedTokens())
    assert keys is None  # no identity provider configured
    issued = service.issue(42)
    identity = await service.verify(issued.token)
    assert (identity.customer_id, identity.store_hash, identity.channel_id) == (42, "store7", 7)
    assert identity.expires_at - identity.issued_at == 600
    same_secret = OwnTokens(b"s" * 32, "store7", 7, 600)
    assert same_secret.verify(issued.token).customer_id == 42


async def test_with_an_identity_provider_its_key_set_is_handed_back_to_close() -> None:
    env = {
        "GATEWAY_SECRET": "s" * 32,
        "GATEWAY_SHOPPER_JWKS_URL": "https://idp.example.test/.well-known/jwks.json",
        "GATEWAY_SHOPPER_JWT_ISSUER": "https://idp.example.test/",
        "GATEWAY_SHOPPER_JWT_AUDIENCE": "checkout-gateway",
    }
    settings = Settings.from_env(env)
    service, keys = shopper_tokens_from_settings(settings, MemoryRevokedTokens())
    assert keys is not None
    await keys.close()
    issued = service.issue(42)  # its own tokens still work beside the provider's
    assert (await service.verify(issued.token)).customer_id == 42
