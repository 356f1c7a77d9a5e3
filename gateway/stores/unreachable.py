"""The answer when the shared store (Redis) cannot be reached.

Identity stores fail closed: a revocation that cannot be checked, or a failure
counter that cannot be read, refuses the request rather than letting a revoked
token or an unlimited password guess through.
"""

from __future__ import annotations

from gateway.errors import ErrorCode, GatewayError


def shared_store_unreachable() -> GatewayError:
    return GatewayError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        "The gateway's shared store is not reachable; retry shortly.",
    )
