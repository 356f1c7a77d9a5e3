"""How a ``serve --workers N`` worker finds its app's subscriptions, and the supervisor's hook.

(The workers' shutdown itself is tested end to end: tests/live_status/test_serve_lifecycle.py.)
"""

from __future__ import annotations

from starlette.applications import Starlette
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.supervisors import multiprocess

from gateway.bootstrap import create_app
from gateway.http.graceful_workers import WorkerProcess, graceful_workers, live_subscriptions_of
from gateway.settings import Settings


def test_the_apps_subscriptions_are_found_under_uvicorns_middleware() -> None:
    app = create_app(Settings.from_env({}))
    wrapped = ProxyHeadersMiddleware(app, trusted_hosts="127.0.0.1")  # type: ignore[arg-type]
    assert live_subscriptions_of(wrapped) is app.state.live_status.live
    assert live_subscriptions_of(app) is app.state.live_status.live
    assert live_subscriptions_of(Starlette()) is None  # an app without subscriptions


def test_the_supervisor_starts_graceful_workers_only_within_the_block() -> None:
    original = multiprocess.Process
    with graceful_workers():
        assert multiprocess.Process is WorkerProcess
    assert multiprocess.Process is original
