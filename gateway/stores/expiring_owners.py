"""A bounded record of owners in process, each entry forgotten at its own time.

What the ownership stores keep locally: the memory store its entries, the Redis store what
it knows was written to Redis moments before (so a repeat needs no write). Bounded in count:
an entry dropped is only one read (or one write) away.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)

REFRESH_SHARE = 0.1  # of the TTL: an owner confirmed within it needs no rewrite


class ExpiringOwners(Generic[Key]):
    """key -> (owner, until). Put in order of ``until`` (one lifetime per user, a monotonic
    clock, a rewrite moves its key to the end), the front is what is forgotten first; a put
    out of that order only keeps an expired entry until the count pushes it out. An
    OrderedDict, not a dict: a dict finds its first live entry past every one deleted from
    its front since it was last resized, an OrderedDict at once."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._entries: OrderedDict[Key, tuple[int, float]] = OrderedDict()

    def get(self, key: Key, now: float) -> tuple[int, float] | None:
        """The live entry (owner, until), or None (an expired one is dropped)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._entries[key]
            return None
        return entry

    def put(self, key: Key, owner: int, until: float, now: float) -> None:
        entries = self._entries
        if key in entries:
            entries[key] = (owner, until)
            entries.move_to_end(key)
            return
        self._make_room(now)
        entries[key] = (owner, until)

    def drop(self, key: Key) -> None:
        self._entries.pop(key, None)

    def _make_room(self, now: float) -> None:
        """Drop what expired from the front, then the oldest while the record is full."""
        entries = self._entries
        while entries:
            oldest = next(iter(entries))
            if entries[oldest][1] > now and len(entries) < self._maxsize:
                return
            del entries[oldest]
