"""In-process revocations (one replica, no Redis): held until the token expires."""

from __future__ import annotations

from gateway.stores.revocations import MemoryRevokedTokens


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_revocation_holds_until_the_token_expires_then_is_forgotten() -> None:
    clock = Clock()
    revoked = MemoryRevokedTokens(clock, margin_s=30)
    await revoked.revoke("jti-1", expires_at=clock.now + 60)
    await revoked.revoke("jti-2", expires_at=clock.now + 600)
    assert await revoked.is_revoked("jti-1")
    assert not await revoked.is_revoked("jti-3")
    clock.now += 89  # within the verifier's leeway after expiry: still refused
    assert await revoked.is_revoked("jti-1")
    clock.now += 2
    assert not await revoked.is_revoked("jti-1")
    assert len(revoked) == 1  # the expired entry is gone, the other one stays
    assert await revoked.is_revoked("jti-2")


async def test_an_already_expired_token_is_not_stored() -> None:
    clock = Clock()
    revoked = MemoryRevokedTokens(clock, margin_s=30)
    await revoked.revoke("old", expires_at=clock.now - 31)
    assert len(revoked) == 0


async def test_revoking_twice_keeps_the_later_expiry() -> None:
    clock = Clock()
    revoked = MemoryRevokedTokens(clock, margin_s=0)
    await revoked.revoke("jti", expires_at=clock.now + 100)
    await revoked.revoke("jti", expires_at=clock.now + 10)
    clock.now += 50
    assert await revoked.is_revoked("jti")
