"""Revoked shopper tokens in this process (no Redis configured: one replica).

Why TTL-bounded: a revocation matters only until the token's own expiry (after
it, verification refuses the token anyway), so each entry is dropped then and
the store holds at most the tokens revoked within one token lifetime. Entries
are token ids (``jti``), never tokens.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable


class MemoryRevokedTokens:
    def __init__(self, clock: Callable[[], float] = time.time, margin_s: float = 30.0) -> None:
        self._clock = clock
        self._margin_s = margin_s  # outlives the verifier's expiry leeway
        self._until: dict[str, float] = {}
        self._by_expiry: list[tuple[float, str]] = []

    async def revoke(self, token_id: str, expires_at: float) -> None:
        self._prune()
        until = expires_at + self._margin_s
        if until <= self._clock() or self._until.get(token_id, 0.0) >= until:
            return
        self._until[token_id] = until
        heapq.heappush(self._by_expiry, (until, token_id))

    async def is_revoked(self, token_id: str) -> bool:
        until = self._until.get(token_id)
        return until is not None and until > self._clock()

    def __len__(self) -> int:
        self._prune()
        return len(self._until)

    def _prune(self) -> None:
        now = self._clock()
        while self._by_expiry and self._by_expiry[0][0] <= now:
            until, token_id = heapq.heappop(self._by_expiry)
            if self._until.get(token_id) == until:
                del self._until[token_id]
