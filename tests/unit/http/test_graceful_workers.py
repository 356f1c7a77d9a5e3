"""How a ``serve --workers N`` worker finds its app's subscriptions, and the supervisor's hook.

(The workers' shutdown itself is tested end to end: tests/live_status/test_serve_lifecycle.py.)
"""

from __future__ import annotations

import uvicorn
from starlette.applications import Starlette
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.supervisors import multiprocess

from gateway.bootstrap import create_app
from gateway.http.graceful_server import GracefulServer
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


def test_a_workers_server_drains_the_app_it_loads() -> None:
    app = create_app(Settings.from_env({}))
    config = uvicorn.Config(app)  # (a worker's names the factory; loaded the same way)
    worker = WorkerProcess(config, sockets=[])
    server = worker.server
    assert isinstance(server, GracefulServer) and worker.server is server
    assert callable(server.live) and server.live() is None  # nothing loaded yet
    config.load()  # what the worker does when it serves: wrapped in uvicorn's middleware
    assert config.loaded_app is not app
    assert server.live() is app.state.live_status.live
