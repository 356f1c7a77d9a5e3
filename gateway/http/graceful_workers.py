"""``serve --workers N`` ending subscriptions as cleanly as one process does.

Why: uvicorn's supervisor runs each worker on a plain ``uvicorn.Server``, whose shutdown
closes WebSockets with 1012 (service restart) and cuts streaming responses off, where
issue 17 wants 1001 and the multipart stream's end. Each worker must drain its
subscriptions first, as ``GracefulServer`` does for one process. The supervisor makes
its workers from the ``Process`` name of its own module and offers no other hook, so
``graceful_workers()`` names ``WorkerProcess`` there while the supervisor runs (in the
parent only: each worker unpickles that class, and its ``server`` is a
``GracefulServer``). A test runs ``serve --workers 2`` and checks both closes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess

from gateway.http.graceful_server import GracefulServer
from gateway.http.live_subscriptions import LiveSubscriptions


def live_subscriptions_of(app: Any) -> LiveSubscriptions | None:
    """The app's open subscriptions, under whatever middleware uvicorn wrapped it in."""
    while app is not None:
        live_status = getattr(getattr(app, "state", None), "live_status", None)
        if live_status is not None:
            live: LiveSubscriptions = live_status.live
            return live
        app = getattr(app, "app", None)
    return None


class WorkerProcess(multiprocess.Process):
    """One worker of uvicorn's supervisor, serving on a ``GracefulServer``."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            config = self.config  # the worker loads the app (the factory) when it serves
            self._server = GracefulServer(
                config, lambda: live_subscriptions_of(getattr(config, "loaded_app", None))
            )
        return self._server


@contextlib.contextmanager
def graceful_workers() -> Iterator[None]:
    """While it is open, uvicorn's supervisor starts ``WorkerProcess`` workers."""
    original = multiprocess.Process
    multiprocess.Process = WorkerProcess  # type: ignore[misc]
    try:
        yield
    finally:
        multiprocess.Process = original  # type: ignore[misc]
