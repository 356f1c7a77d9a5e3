"""uvicorn's httptools protocol, with a response's head and body sent in one ``write``.

Why: uvicorn writes the status line and headers as soon as the app sends
``http.response.start`` and the body on ``http.response.body``: two ``send`` calls, two
TCP segments and two wake-ups of the client for every answer. ``OneWriteHttpToolsProtocol``
(handed to uvicorn as its ``http`` protocol class) gives the protocol a transport that
keeps what is written until the answer is complete (uvicorn's ``on_response_complete``)
or, at the latest, until the end of the event loop's turn, then sends it in one
``write``: the app sends both messages without waiting in between, so they leave
together; a streamed answer's later parts leave at the end of the turn they were written
in. Closing sends what is kept first. After an upgrade to a
WebSocket every write goes straight through.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class TurnBufferedTransport(asyncio.Transport):
    """A transport that sends what was written during one loop turn in one ``write``."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(extra=None)
        self._transport = transport
        self._loop = loop
        self._kept: list[bytes] = []
        self._through = False  # upgraded: writes go straight to the transport

    # What is kept, and when it leaves.
    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._through:
            self._transport.write(data)
            return
        if not data:
            return
        if not self._kept:
            self._loop.call_soon(self.flush)
        self._kept.append(bytes(data))

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        kept = self._kept
        if not kept:
            return
        data = kept[0] if len(kept) == 1 else b"".join(kept)
        kept.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._kept.clear()
        self._transport.abort()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        # uvicorn's WebSocket upgrade: from here on, frames are written one by one.
        self.flush()
        self._through = True
        self._transport.set_protocol(protocol)

    # The rest is the transport's own.
    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._kept))

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._buffered = TurnBufferedTransport(transport, self.loop)
        super().connection_made(self._buffered)

    def on_response_complete(self) -> None:
        # The whole answer is written: it leaves now, before the app's own work after it
        # (the access-log line, the metrics) rather than at the end of the turn.
        self._buffered.flush()
        super().on_response_complete()
