"""Starting and stopping the sandbox store: in a running loop, in a thread, or blocking."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import scopes as scope_rules
from .app import build_api_app, build_payments_app
from .callbacks import DEFAULT_RETRY_DELAYS, CallbackDispatcher, Delivery
from .faults import FaultRegistry
from .keys import StoreConfig
from .ratelimit import NOMINAL_WINDOW_MS, RateLimiter
from .recorder import RecordedRequest, Recorder
from .state import SandboxState
from .store_info import store_id

DEFAULT_STORE_HASH = "sandbox"
DEFAULT_TOKEN = "sandbox-token"  # noqa: S105 - the sandbox's documented demo token


def _url(host: str, runner: web.AppRunner) -> str:
    port = runner.addresses[0][1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class SandboxServer:
    """The sandbox store listening on two ports (management API, payments API)."""

    def __init__(
        self,
        store_hash: str,
        token: str,
        *,
        scopes: Iterable[str] | None = None,
        tokens: Mapping[str, Iterable[str] | None] | None = None,
        webhook_retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    ) -> None:
        self.store_hash = store_hash
        self.token = token
        self.state = SandboxState()
        self.faults = FaultRegistry()
        self.recorder = Recorder()
        self.rate_limiter = RateLimiter()
        self.payments_rate_limiter = RateLimiter()
        self.config = StoreConfig(store_hash=store_hash, token=token)
        if scopes is not None:
            self.config.grants[token] = scope_rules.grant_of(scopes)
        for extra, extra_scopes in (tokens or {}).items():
            self.config.grants[extra] = scope_rules.grant_of(extra_scopes)
        self._initial_grants = dict(self.config.grants)
        self._initial_retry_delays = tuple(webhook_retry_delays)
        self.callbacks = CallbackDispatcher(
            self.state,
            store_hash,
            store_id(store_hash),
            self.recorder.record_delivery,
            webhook_retry_delays,
        )
        self.api_url = ""
        self.payments_url = ""
        self._runners: list[web.AppRunner] = []

    @classmethod
    async def start(
        cls,
        host: str = "127.0.0.1",
        port: int = 0,
        payments_port: int = 0,
        store_hash: str = DEFAULT_STORE_HASH,
        token: str = DEFAULT_TOKEN,
        *,
        scopes: Iterable[str] | None = None,
        tokens: Mapping[str, Iterable[str] | None] | None = None,
        webhook_retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    ) -> SandboxServer:
        """Listen on ``port`` and ``payments_port`` (0 = ephemeral) and return the server.

        ``scopes``: the OAuth scopes of ``token`` (default: every scope); ``tokens``: more
        access tokens and their scopes (``None``: every scope). ``webhook_retry_delays``:
        seconds before each retry of a failed callback.
        """
        server = cls(
            store_hash,
            token,
            scopes=scopes,
            tokens=tokens,
            webhook_retry_delays=webhook_retry_delays,
        )
        await server._listen(host, port, payments_port)
        return server

    async def _listen(self, host: str, port: int, payments_port: int) -> None:
        self.callbacks.bind(asyncio.get_running_loop())
        api_app = build_api_app(
            self.state, self.config, self.recorder, self.faults, self.rate_limiter
        )
        payments_app = build_payments_app(
            self.state, self.config, self.recorder, self.faults, self.payments_rate_limiter
        )
        try:
            for app, app_port in ((api_app, port), (payments_app, payments_port)):
                # No access log: it costs time under load and has nothing tests need.
                runner = web.AppRunner(app, access_log=None, handle_signals=False)
                await runner.setup()
                self._runners.append(runner)
                await web.TCPSite(runner, host, app_port).start()
        except BaseException:
            await self.close()
            raise
        self.api_url = _url(host, self._runners[0])
        self.payments_url = _url(host, self._runners[1])
        self.config.api_url = self.api_url
        self.config.payments_url = self.payments_url

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.recorder.requests

    def clear_requests(self) -> None:
        self.recorder.clear()

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook callback attempt, oldest first (cleared with the requests)."""
        return self.recorder.deliveries

    async def callbacks_idle(self) -> None:
        """Wait until every scheduled callback, retries included, has finished."""
        await self.callbacks.idle()

    def set_webhook_retry_delays(self, delays: Sequence[float]) -> None:
        self.callbacks.configure(retry_delays=delays)

    def grant(self, token: str, scopes: Iterable[str] | None) -> None:
        """Accept ``token`` with these OAuth scopes (``None``: every scope), like an API account."""
        self.config.grants[token] = scope_rules.grant_of(scopes)

    def revoke(self, token: str) -> None:
        """Forget an extra token; the main token goes back to every scope."""
        self.config.grants.pop(token, None)

    def set_rate_limit(self, quota: int | None, window_ms: int = NOMINAL_WINDOW_MS) -> None:
        """Per-store quota of the management host; ``None`` disables it (the default)."""
        self.rate_limiter.configure(quota, window_ms)

    def set_payments_rate_limit(self, quota: int | None = 50, window_ms: int = 4_000) -> None:
        """The payments host's own quota (BigCommerce: 50 per 4 s); ``None`` disables it."""
        self.payments_rate_limiter.configure(quota, window_ms)

    def reset(self) -> None:
        """Forget faults, recorded requests, rate limits, hooks and pending callbacks, and
        restore the tokens, scopes and retry delays given at start (not orders and carts)."""
        self.faults.clear()
        self.callbacks.cancel()
        self.state.hooks.clear()
        self.clear_requests()
        self.set_rate_limit(None)
        self.set_payments_rate_limit(None)
        self.config.grants.clear()
        self.config.grants.update(self._initial_grants)
        self.callbacks.configure(retry_delays=self._initial_retry_delays)

    def banner(self) -> str:
        line = (
            f"sandbox store '{self.store_hash}': management API "
            f"{self.api_url}/stores/{self.store_hash}/v3, payments API "
            f"{self.payments_url}/stores/{self.store_hash} (X-Auth-Token: {self.token})"
        )
        if self.config.grants:
            line += f"; scopes: {scope_rules.describe(self.config.grants)}"
        return line

    async def close(self) -> None:
        await self.callbacks.close()
        runners, self._runners = self._runners, []
        for runner in runners:
            await runner.cleanup()


@dataclass
class ThreadedSandbox:
    """A sandbox running in its own thread and event loop."""

    server: SandboxServer
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    _stopped: bool = field(default=False)

    @property
    def api_url(self) -> str:
        return self.server.api_url

    @property
    def payments_url(self) -> str:
        return self.server.payments_url

    def stop(self, timeout: float = 5.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        future = asyncio.run_coroutine_threadsafe(self.server.close(), self.loop)
        try:
            future.result(timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout)


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    payments_port: int = 0,
    store_hash: str = DEFAULT_STORE_HASH,
    token: str = DEFAULT_TOKEN,
    timeout: float = 10.0,
    *,
    scopes: Iterable[str] | None = None,
    tokens: Mapping[str, Iterable[str] | None] | None = None,
    webhook_retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
) -> ThreadedSandbox:
    """Start the sandbox in a daemon thread; returns once both ports listen."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    outcome: dict[str, object] = {}

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            outcome["server"] = loop.run_until_complete(
                SandboxServer.start(
                    host,
                    port,
                    payments_port,
                    store_hash,
                    token,
                    scopes=scopes,
                    tokens=tokens,
                    webhook_retry_delays=webhook_retry_delays,
                )
            )
        except BaseException as exc:  # reported to the caller below
            outcome["error"] = exc
            ready.set()
            loop.close()
            return
        ready.set()
        loop.run_forever()
        loop.close()

    thread = threading.Thread(target=main, name="sandbox-store", daemon=True)
    thread.start()
    if not ready.wait(timeout):
        raise TimeoutError("the sandbox store did not start in time")
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    server = outcome["server"]
    assert isinstance(server, SandboxServer)
    return ThreadedSandbox(server=server, loop=loop, thread=thread)


def run(
    host: str = "127.0.0.1",
    port: int = 8100,
    payments_port: int = 8101,
    store_hash: str = DEFAULT_STORE_HASH,
    token: str = DEFAULT_TOKEN,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM, printing one line with both URLs once listening.

    Read from the environment (``checkout-gateway sandbox`` passes it through):
    ``SANDBOX_SCOPES`` the main token's OAuth scopes (``store_cart,store_checkout``; unset
    or ``*``: every scope), ``SANDBOX_TOKENS`` more tokens (``tok=scope,scope;tok2=*``),
    ``SANDBOX_WEBHOOK_RETRY_DELAYS`` seconds before each callback retry (``1,5,25``).
    """
    options = options_from_env(os.environ if environ is None else environ)

    async def serve() -> None:
        server = await SandboxServer.start(host, port, payments_port, store_hash, token, **options)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(server.banner(), flush=True)
        try:
            await stop.wait()
        finally:
            await server.close()

    asyncio.run(serve())


def options_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """``SandboxServer.start`` keyword arguments from ``SANDBOX_*`` variables."""
    options: dict[str, Any] = {}
    if environ.get("SANDBOX_SCOPES", "").strip():
        options["scopes"] = scope_rules.parse_scopes(environ["SANDBOX_SCOPES"])
    if environ.get("SANDBOX_TOKENS", "").strip():
        options["tokens"] = scope_rules.parse_tokens(environ["SANDBOX_TOKENS"])
    delays = environ.get("SANDBOX_WEBHOOK_RETRY_DELAYS", "").strip()
    if delays:
        try:
            parsed = tuple(float(d) for d in delays.split(",") if d.strip())
        except ValueError:
            raise ValueError("SANDBOX_WEBHOOK_RETRY_DELAYS takes seconds, e.g. 1,5,25") from None
        if any(d < 0 for d in parsed):
            raise ValueError("SANDBOX_WEBHOOK_RETRY_DELAYS takes non-negative seconds")
        options["webhook_retry_delays"] = parsed
    return options
