"""TokenStreams: a token's open streams end once, on its revocation or its expiry."""

from __future__ import annotations

import asyncio

from gateway.domain.identity import ShopperIdentity
from gateway.domain.token_streams import TokenStreams, token_ref

NOW = 1_800_000_000.0


def shopper(token_id: str, expires_at: float = NOW + 3600) -> ShopperIdentity:
    return ShopperIdentity(1, "store", 1, int(NOW), int(expires_at), token_id)


async def test_a_revocation_ends_every_stream_of_that_token_once() -> None:
    streams = TokenStreams(clock=lambda: NOW)
    ended: list[str] = []
    streams.hold(shopper("jti-1"), lambda: ended.append("first"))
    streams.hold(shopper("jti-1"), lambda: ended.append("second"))
    streams.hold(shopper("jti-2"), lambda: ended.append("other token"))
    assert streams.held() == 3
    streams.revoked(token_ref("jti-1"))
    assert sorted(ended) == ["first", "second"]
    streams.revoked(token_ref("jti-1"))  # told again (another replica's notice): nothing more
    assert sorted(ended) == ["first", "second"] and streams.held() == 1


async def test_a_stream_that_ended_first_is_not_ended_again() -> None:
    streams = TokenStreams(clock=lambda: NOW)
    ended: list[str] = []
    release = streams.hold(shopper("jti-1"), lambda: ended.append("left"))
    release()  # the client left
    release()
    streams.revoked(token_ref("jti-1"))
    assert ended == [] and streams.held() == 0


async def test_a_guest_holds_nothing() -> None:
    streams = TokenStreams(clock=lambda: NOW)
    release = streams.hold(None, lambda: None)
    assert streams.held() == 0
    release()


async def test_a_stream_ends_when_its_token_expires() -> None:
    streams = TokenStreams(clock=lambda: NOW)
    ended: list[str] = []
    streams.hold(shopper("expired", expires_at=NOW - 1), lambda: ended.append("expired"))
    release = streams.hold(shopper("left", expires_at=NOW - 1), lambda: ended.append("left"))
    streams.hold(shopper("live"), lambda: ended.append("live"))
    release()  # its timer goes with it
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert ended == ["expired"] and streams.held() == 1


def test_the_ref_names_the_token_id_without_holding_it() -> None:
    ref = token_ref("the-jti")
    assert len(ref) == 32 and "the-jti" not in ref and ref == token_ref("the-jti")
    assert ref != token_ref("another-jti")


async def test_a_stream_held_just_after_its_token_was_revoked_ends_at_once() -> None:
    """Verified, then revoked (here or on another replica), then held: not missed."""
    later = [0.0]
    streams = TokenStreams(clock=lambda: NOW, monotonic=lambda: later[0])
    streams.revoked(token_ref("jti-1"))
    ended: list[str] = []
    streams.hold(shopper("jti-1"), lambda: ended.append("late"))
    streams.hold(shopper("jti-2"), lambda: ended.append("another token"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert ended == ["late"]
    later[0] = 61.0  # a minute on, the revocation is forgotten here (refused by the store still)
    streams.revoked(token_ref("jti-3"))
    streams.hold(shopper("jti-1"), lambda: ended.append("much later"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert ended == ["late"]
