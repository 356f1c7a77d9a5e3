"""Reads an Apollo multipart subscription response the way Apollo Client does.

A part counts only once the delimiter after it has arrived (``\\r\\n--graphql``); its
headers must say ``application/json``; ``--`` right after a delimiter ends the body.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson

DELIMITER = b"\r\n--graphql"
END = object()


class MultipartReader:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.buffer = b""
        self.parts: asyncio.Queue[Any] = asyncio.Queue()
        self.raw = b""
        self.ended = False

    async def parts_of(self) -> AsyncIterator[Any]:
        """Each part's JSON body in order, then ``END`` if the body closed properly."""
        first = True
        async for chunk in self.response.content.iter_any():
            self.raw += chunk
            self.buffer += chunk
            while (at := self.buffer.find(DELIMITER)) >= 0:
                message, self.buffer = self.buffer[:at], self.buffer[at + len(DELIMITER) :]
                if first:
                    assert message == b"", message  # nothing before the opening delimiter
                    first = False
                    continue
                yield parse_part(message)
            if self.buffer.startswith(b"--"):
                assert self.buffer == b"--\r\n", self.buffer
                self.ended = True
                yield END
                return


def parse_part(message: bytes) -> Any:
    head, separator, body = message.partition(b"\r\n\r\n")
    assert separator, message
    lines = [line for line in head.split(b"\r\n") if line]
    headers = dict(line.split(b": ", 1) for line in lines)
    assert headers == {b"Content-Type": b"application/json"}, headers
    return orjson.loads(body)


async def next_part(parts: AsyncIterator[Any], seconds: float = 5.0) -> Any:
    return await asyncio.wait_for(anext(parts), seconds)
