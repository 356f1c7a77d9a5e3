"""The token service as the settings build it: own tokens always, a federated graph's
JWTs only when a key set is configured, fetched through the session the app shares."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import aiohttp
import pytest
import pytest_asyncio

from gateway.domain.identity import TokenSource
from gateway.errors import ErrorCode, GatewayError
from gateway.settings import ExternalShopperJwt, Settings
from gateway.stores.revocations import MemoryRevokedTokens
from gateway.tokens.own_tokens import OwnTokens
from gateway.tokens.service import (
    LEEWAY_S,
    MAX_TOKEN_CHARS,
    ShopperTokenService,
    shopper_tokens_from_settings,
)
from tests.unit.tokens.test_external_tokens import (
    AUDIENCE,
    ISSUER,
    JwksServer,
    Signer,
    claims,
    rsa_signer,
)

STORE = "store42"


def settings(shopper_jwt: ExternalShopperJwt | None) -> Settings:
    return Settings(
        store_hash=STORE,
        access_token="token",
        api_url="http://127.0.0.1:9",
        payments_url="http://127.0.0.1:9",
        secret=b"k" * 32,
        sandbox=True,
        channel_id=7,
        shopper_jwt=shopper_jwt,
    )


@pytest_asyncio.fixture
async def server() -> AsyncIterator[JwksServer]:
    server = JwksServer()
    await server.start()
    yield server
    await server.close()


async def test_a_configured_key_set_verifies_the_graphs_tokens_through_the_shared_session(
    server: JwksServer,
) -> None:
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    requests: list[str] = []

    async def counted(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        requests.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(counted)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        config = ExternalShopperJwt(server.url, ISSUER, AUDIENCE)
        tokens, keys = shopper_tokens_from_settings(
            settings(config), MemoryRevokedTokens(), session
        )
        assert keys is not None
        identity = await tokens.verify(signer.sign(claims(bc_customer_id=12)))
        assert (identity.customer_id, identity.source) == (12, TokenSource.EXTERNAL)
        assert (identity.store_hash, identity.channel_id) == (STORE, 7)
        assert requests == [server.url]  # the key set came through the app's session
        await keys.close()
        assert not session.closed  # closing the key set leaves the shared session alone
    # Our own tokens verify too, with the settings' store and channel.
    own = tokens.issue(5)
    mine = await tokens.verify(own.token)
    assert (mine.customer_id, mine.source, mine.store_hash, mine.channel_id) == (
        5,
        TokenSource.OWN,
        STORE,
        7,
    )


async def test_without_a_key_set_a_graphs_token_is_refused_without_any_fetch(
    server: JwksServer,
) -> None:
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    tokens, keys = shopper_tokens_from_settings(settings(None), MemoryRevokedTokens())
    assert keys is None
    with pytest.raises(GatewayError) as caught:
        await tokens.verify(signer.sign(claims()))
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
    assert server.fetches == 0


def token_of_length(signer: Signer, length: int) -> str:
    """A genuine token of exactly ``length`` characters (padded: a claim, a header field)."""
    for extra in range(4):  # base64 never gives some lengths: the header shifts them
        base = len(signer.sign(claims(pad=""), x="x" * extra))
        estimate = (length - base) * 3 // 4
        for pad in range(max(0, estimate - 4), estimate + 5):
            token = signer.sign(claims(pad="p" * pad), x="x" * extra)
            if len(token) == length:
                return token
    raise AssertionError(f"no token of {length} characters")


async def test_a_token_up_to_the_size_limit_is_verified_and_a_longer_one_is_not(
    server: JwksServer,
) -> None:
    signer = rsa_signer("rsa-1")
    server.keys = [signer.jwk]
    tokens, keys = shopper_tokens_from_settings(
        settings(ExternalShopperJwt(server.url, ISSUER, AUDIENCE)), MemoryRevokedTokens()
    )
    assert keys is not None
    try:
        largest = token_of_length(signer, MAX_TOKEN_CHARS)
        assert (await tokens.verify(largest)).customer_id == 1
        with pytest.raises(GatewayError) as caught:
            await tokens.verify(token_of_length(signer, MAX_TOKEN_CHARS + 1))
        assert caught.value.code is ErrorCode.UNAUTHENTICATED
        assert server.fetches == 1  # the oversized one was refused before any key was looked up
    finally:
        await keys.close()


async def test_a_remembered_token_is_refused_from_the_first_instant_past_the_leeway() -> None:
    now = [0.0]
    tokens = ShopperTokenService(
        OwnTokens(b"k" * 32, STORE, 1, 3600), MemoryRevokedTokens(), clock=lambda: now[0]
    )
    issued = tokens.issue(3)
    now[0] = issued.identity.expires_at + LEEWAY_S - 0.5
    assert (await tokens.verify(issued.token)).customer_id == 3
    now[0] = issued.identity.expires_at + LEEWAY_S  # the remembered answer ends exactly here
    with pytest.raises(GatewayError) as caught:
        await tokens.verify(issued.token)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
