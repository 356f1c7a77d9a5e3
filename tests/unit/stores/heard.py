"""A revocation handler that remembers what it was told, for the notices' tests."""

from __future__ import annotations

import asyncio


class Heard:
    """A handler that remembers what it was told, and lets a test wait for it."""

    def __init__(self) -> None:
        self.refs: asyncio.Queue[str] = asyncio.Queue()

    def __call__(self, ref: str) -> None:
        self.refs.put_nowait(ref)

    async def next(self) -> str:
        return await asyncio.wait_for(self.refs.get(), 5)
