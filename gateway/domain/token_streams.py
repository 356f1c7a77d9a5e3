"""Open subscription streams by the shopper token they were opened with (CONTRACT §1a, §1b).

Why: a token is verified once, when a subscription starts, so a sign-out (``signOut``
revokes the token, on every replica) would otherwise leave the shopper's open streams
running, still telling the order's changes to whoever holds the socket. Each stream
opened with a token is held here; a revocation, told by the replica that revoked it
(``RevocationNotices``), ends every stream of that token, and so does the token's expiry:
a subscription never outlives the credential it was opened with.

Streams are keyed by a digest of the token id (``token_ref``), the form a revocation is
told in between replicas, never the token. A stream is held only after its token was
verified (and, for multipart, the order read), so a revocation told in between would
miss it: the refs revoked in the last ``RECENT_S`` are remembered, and a stream held
with one of them ends at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable

from gateway.domain.identity import ShopperIdentity

End = Callable[[], None]
RECENT_S = 60.0  # far longer than a token's verification and a stream's start
MAX_RECENT = 100_000


def token_ref(token_id: str) -> str:
    """How a token id is named outside this process (in Redis keys and messages)."""
    return hashlib.sha256(token_id.encode()).hexdigest()[:32]


class TokenStreams:
    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._monotonic = monotonic
        self._ends: dict[str, set[End]] = {}
        self._recent: dict[str, float] = {}  # ref -> when it was revoked (monotonic), oldest first

    def hold(self, shopper: ShopperIdentity | None, end: End) -> Callable[[], None]:
        """Call ``end`` (once) when the shopper's token is revoked or expires; returns the undo.

        A guest holds nothing. Called from the event loop's thread.
        """
        if shopper is None:
            return _nothing
        ref = token_ref(shopper.token_id)
        timer: asyncio.TimerHandle | None = None

        def once() -> None:
            release()
            end()

        def release() -> None:
            ends = self._ends.get(ref)
            if ends is not None:
                ends.discard(once)
                if not ends:
                    del self._ends[ref]
            if timer is not None:
                timer.cancel()

        self._ends.setdefault(ref, set()).add(once)
        loop = asyncio.get_running_loop()
        left_s = 0.0 if ref in self._recent else shopper.expires_at - self._clock()
        timer = loop.call_later(max(0.0, left_s), once)
        return release

    def revoked(self, ref: str) -> None:
        """The token named ``ref`` was revoked (here or on another replica): end its streams."""
        self._remember(ref)
        for end in list(self._ends.pop(ref, ())):
            end()

    def _remember(self, ref: str) -> None:
        now = self._monotonic()
        self._recent.pop(ref, None)  # to the young end
        self._recent[ref] = now
        for old, when in list(self._recent.items()):
            if now - when < RECENT_S and len(self._recent) <= MAX_RECENT:
                break
            del self._recent[old]

    def held(self) -> int:
        """How many streams are held (for tests and metrics)."""
        return sum(len(ends) for ends in self._ends.values())


def _nothing() -> None:
    pass
