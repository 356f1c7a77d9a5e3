"""A uvicorn server that ends subscriptions cleanly before it shuts its connections.

Why: uvicorn's own shutdown closes WebSockets with 1012 and resets streaming responses;
draining ``LiveSubscriptions`` first gives clients a 1001 close or the multipart end.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn

from gateway.http.live_subscriptions import LiveSubscriptions


class GracefulServer(uvicorn.Server):
    def __init__(
        self,
        config: uvicorn.Config,
        live: LiveSubscriptions | Callable[[], LiveSubscriptions | None],
        grace_s: float = 5.0,
    ) -> None:
        """``live``: the app's, or how to find it once the server has loaded the app (a
        worker builds its app itself, from a factory)."""
        super().__init__(config)
        self.live = live
        self.grace_s = grace_s

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:  # no new connections while the old ones end
            server.close()
        live = self.live if isinstance(self.live, LiveSubscriptions) else self.live()
        if live is not None:
            await live.drain(self.grace_s)
        await super().shutdown(sockets)
