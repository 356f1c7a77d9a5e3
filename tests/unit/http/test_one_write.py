"""What the app writes during one turn leaves in one write, at the end of the answer or of
the turn; closing sends it first; after an upgrade writes go straight through."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from gateway.http.one_write import TurnBufferedTransport
from tests.live_gateway import serve, stop

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


@asynccontextmanager
async def _pair() -> AsyncIterator[tuple[TurnBufferedTransport, socket.socket]]:
    """A buffered transport over one end of a real socket pair; the other end, to read."""
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, _protocol = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    buffered = TurnBufferedTransport(transport, loop)
    try:
        yield buffered, peer
    finally:
        transport.close()
        peer.close()


def _nothing_yet(peer: socket.socket) -> bool:
    try:
        peer.recv(4096)
    except BlockingIOError:
        return True
    return False


async def test_what_one_turn_writes_leaves_together_at_its_end() -> None:
    async with _pair() as (buffered, peer):
        buffered.write(HEAD)
        buffered.write(bytearray(b"{}"))
        assert _nothing_yet(peer)
        assert buffered.get_write_buffer_size() == len(HEAD) + 2
        await asyncio.sleep(0)  # the turn ends
        assert peer.recv(4096) == HEAD + b"{}"
        buffered.write(b"later")  # a streamed part: its own turn
        await asyncio.sleep(0)
        assert peer.recv(4096) == b"later"


async def test_flush_and_close_send_what_is_kept() -> None:
    async with _pair() as (buffered, peer):
        buffered.writelines([HEAD, b"{}"])
        buffered.flush()
        assert peer.recv(4096) == HEAD + b"{}"
        buffered.write(b"last")
        buffered.close()
        loop = asyncio.get_running_loop()
        assert await loop.sock_recv(peer, 4096) == b"last"
        assert await loop.sock_recv(peer, 4096) == b""  # then the end


async def test_after_an_upgrade_writes_go_straight_through() -> None:
    async with _pair() as (buffered, peer):
        buffered.write(b"101 head")
        buffered.set_protocol(asyncio.Protocol())
        assert peer.recv(4096) == b"101 head"  # what was kept left first
        buffered.write(b"frame")
        assert peer.recv(4096) == b"frame"


async def _stream(request: Request) -> StreamingResponse:
    release: asyncio.Event = request.app.state.release

    async def parts() -> AsyncIterator[bytes]:
        yield b"first;"
        await release.wait()  # the client has read the first part before this one exists
        yield b"second"

    return StreamingResponse(parts(), media_type="text/plain")


async def _json(_request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, Starlette]]:
    app = Starlette(routes=[Route("/json", _json), Route("/stream", _stream)])
    app.state.release = asyncio.Event()
    served, task, url = await serve(app)  # on OneWriteHttpToolsProtocol, as `serve` runs
    yield url, app
    await stop(served, task)


async def test_answers_on_a_kept_alive_connection_and_after_close(
    server: tuple[str, Starlette],
) -> None:
    url, _app = server
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as http:
        for _ in range(3):
            async with http.get(f"{url}/json") as resp:
                assert resp.status == 200 and await resp.json() == {"ok": True}
        async with http.get(f"{url}/json", headers={"Connection": "close"}) as resp:
            assert resp.headers["Connection"] == "close" and await resp.json() == {"ok": True}


async def test_a_streamed_part_leaves_before_the_next_is_made(
    server: tuple[str, Starlette],
) -> None:
    url, app = server
    async with aiohttp.ClientSession() as http, http.get(f"{url}/stream") as resp:
        assert await resp.content.readexactly(len(b"first;")) == b"first;"
        app.state.release.set()
        assert await resp.content.read() == b"second"


def test_uvicorn_still_calls_the_hook_that_sends_a_complete_answer_at_once() -> None:
    # Without it answers still leave, at the end of the turn: after the access-log line.
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert callable(vars(HttpToolsProtocol)["on_response_complete"])
