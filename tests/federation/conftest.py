"""Our gateway as a live subgraph: the session's live gateway over the session's sandbox store."""

from __future__ import annotations

import pytest

from tests.live_gateway import LiveGateway


@pytest.fixture(scope="session")
def subgraph_server(live_gateway: LiveGateway) -> LiveGateway:
    return live_gateway


@pytest.fixture
def subgraph(gateway: LiveGateway) -> LiveGateway:
    """The checkout subgraph, its sandbox reset (no faults, empty request record)."""
    return gateway
