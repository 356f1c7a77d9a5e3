"""The gateway's own tokens as other parties see them: header, source, and the issuer check."""

from __future__ import annotations

import jwt
import pytest

from gateway.domain.identity import TokenSource
from gateway.errors import ErrorCode, GatewayError
from gateway.tokens.own_tokens import AUDIENCE, OwnTokens, token_key

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
