"""The gateway's own tokens as other parties see them: header, source, and the issuer check."""

from __future__ import annotations

import jwt
import pytest

from gateway.domain.identity import TokenSource
from gateway.errors import ErrorCode, GatewayError
from gateway.settings import Settings
from gateway.stores.revocations import MemoryRevokedTokens
from gateway.tokens.own_tokens import AUDIENCE, OwnTokens, token_key
from gateway.tokens.service import shopper_tokens_from_settings

SECRET = b"replicas-share-this-secret-0123456789"
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
