"""``python -m bench.sandbox_launcher``: the sandbox store, plus what the benchmark needs of it.

It starts ``gateway.sandbox.SandboxServer`` through its Python API and adds a small
control server on another port:

- ``GET /count``: how many requests the store has answered (both hosts), so the
  benchmark can report upstream calls per gateway request;
- ``POST /delay?seconds=S``: every later request is answered after S seconds (via
  the sandbox's fault API); ``seconds=0`` removes the delay.

It prints one line, ``SANDBOX api=URL payments=URL control=URL``, once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from aiohttp import web

from gateway.sandbox import Fault, SandboxServer

DRAIN_EVERY_S = 1.0


class Counter:
    """Requests the store answered, read off its recorder, which is drained as we go so
    that a long run does not keep every request in memory."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.total = 0

    def drain(self) -> int:
        # The recorder is filled from this same event loop, so nothing lands between
        # reading and clearing it.
        self.total += len(self.server.recorder.requests)
        self.server.recorder.clear()
        return self.total


async def serve(args: argparse.Namespace) -> None:
    server = await SandboxServer.start(
        host="127.0.0.1",
        port=args.port,
        payments_port=args.payments_port,
        store_hash=args.store_hash,
        token=args.token,
    )
    counter = Counter(server)

    async def get_count(request: web.Request) -> web.Response:
        return web.json_response({"requests": counter.drain(), "counting": True})

    async def set_delay(request: web.Request) -> web.Response:
        seconds = float(request.query.get("seconds", "0"))
        server.faults.clear()
        if seconds > 0:
            # method=None: any method; the path is re.fullmatch-ed, so ".*" is every request.
            server.faults.add(method=None, path=r".*", fault=Fault.delay(seconds), times=None)
        return web.json_response({"delay": seconds})

    async def drain_forever() -> None:
        while True:
            await asyncio.sleep(DRAIN_EVERY_S)
            counter.drain()

    control = web.Application()
    control.router.add_get("/count", get_count)
    control.router.add_post("/delay", set_delay)
    runner = web.AppRunner(control, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.control_port).start()
    drainer = asyncio.create_task(drain_forever())
    print(
        f"SANDBOX api={server.api_url} payments={server.payments_url} "
        f"control=http://127.0.0.1:{args.control_port}",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        drainer.cancel()
        await runner.cleanup()
        await server.close()


def main() -> None:
    """Parse the ports and serve until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_launcher")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payments-port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--store-hash", default="sandbox")
    parser.add_argument("--token", default="sandbox-token")
    args = parser.parse_args()
    # The store runs on uvloop like uvicorn does, so it is not the bottleneck it need not be.
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(serve(args))


if __name__ == "__main__":
    main()
