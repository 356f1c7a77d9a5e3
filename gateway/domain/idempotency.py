"""Idempotency keys: one upstream effect per (client, mutation, key), kept 24 hours.

A record holds a keyed hash (HMAC) of the input, never the input itself, and
the result or the error. The same key with the same input gets the first
answer again; with another input, ``IDEMPOTENCY_KEY_REUSED``; while the first
is still running, a duplicate waits for it (within the deadline, else
``IDEMPOTENCY_IN_PROGRESS``). A failure whose ``Effect`` is NONE (nothing that
matters happened upstream) keeps nothing, so the client may retry with the same key.

The backend is a port (``gateway.domain.ports.IdempotencyBackend``); ``gateway.stores``
has one in memory and one in Redis for several replicas.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson

from gateway import deadline
from gateway.domain.models import Order, OrderError
from gateway.domain.ports import Busy, IdempotencyBackend, Lease, NullObserver, Observer, Stored
from gateway.errors import Effect, ErrorCode, GatewayError

log = logging.getLogger("gateway.idempotency")


class Idempotency:
    def __init__(
        self,
        backend: IdempotencyBackend,
        secret: bytes,
        ttl_s: float,
        observer: Observer | None = None,
    ) -> None:
        self._backend = backend
        self._secret = secret
        self._ttl_s = ttl_s
        self._observer = observer or NullObserver()

    def _hash(self, label: bytes, payload: Any) -> str:
        message = label + orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def key(
        self, client_key: str | None, mutation: str, idempotency_key: str, scope: str = "guest"
    ) -> str:
        """The record's key: client key + shopper (``identity.shopper_scope``) + mutation + key.

        The shopper is part of it so that a key replayed by anyone else never answers
        with another shopper's result. The client key is a secret too: only a keyed
        hash of all of it goes into the store's keys.
        """
        return "idem:" + self._hash(b"key|", [client_key or "", scope, mutation, idempotency_key])

    def fingerprint(self, payload: Any) -> str:
        """A keyed hash of the input: equal inputs match, and a card number cannot be recovered."""
        return self._hash(b"input|", payload)

    async def run(
        self,
        key: str,
        fingerprint: str,
        operation: Callable[[], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        """Run ``operation`` at most once for ``key``; return its (possibly replayed) record.

        A record is ``{"ok": ...}`` or ``{"error": ...}``; ``raise_recorded`` turns
        the latter back into the exception.
        """
        while True:
            claim = await self._backend.claim(key, fingerprint, self._ttl_s)
            if isinstance(claim, Stored):
                _check_same_input(claim.fingerprint, fingerprint)
                self._observer.idempotent_replay()
                return claim.record
            if isinstance(claim, Busy):
                _check_same_input(claim.fingerprint, fingerprint)
                left = deadline.remaining()
                if left <= 0.05:
                    raise GatewayError(
                        ErrorCode.IDEMPOTENCY_IN_PROGRESS,
                        "A request with this idempotency key is still running; retry later.",
                        ["idempotency_key"],
                    )
                await self._backend.wait(key, min(left - 0.05, 1.0))
                continue
            return await self._run_leased(claim, fingerprint, operation)

    @asynccontextmanager
    async def exclusive(self, name: str, busy_message: str) -> AsyncIterator[None]:
        """Run the block alone, in every replica sharing the backend; nothing is kept.

        Two payments for one order (or two orders for one checkout) sent at once without
        an idempotency key must not both reach BigCommerce: the second waits for the first
        and then sees its effect (the order paid, the checkout's order made).
        """
        key = "lock:" + self._hash(b"lock|", name)
        while True:
            claim = await self._backend.claim(key, "", self._ttl_s)
            if isinstance(claim, Lease):
                break
            left = deadline.remaining()
            if left <= 0.05:
                raise GatewayError(ErrorCode.CONFLICT, busy_message)
            await self._backend.wait(key, min(left - 0.05, 1.0))
        try:
            yield
        finally:
            await self._backend.abandon(claim)

    async def _run_leased(
        self, lease: Lease, fingerprint: str, operation: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        try:
            record = {"ok": await operation()}
        except GatewayError as exc:
            if exc.effect is Effect.NONE:
                await self._backend.abandon(lease)
                raise
            record = {"error": error_to_record(exc)}
        except BaseException:
            # Unknown failure (or cancellation): nothing certain to keep; free the key.
            await self._backend.abandon(lease)
            raise
        try:
            await self._backend.finish(lease, fingerprint, record, self._ttl_s)
        except Exception:
            # The work is done (perhaps a charge): its answer must reach the client anyway.
            log.exception("idempotency record not kept")
        return record


def _check_same_input(stored: str, given: str) -> None:
    if not hmac.compare_digest(stored, given):
        raise GatewayError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used with a different input.",
            ["idempotency_key"],
        )


def error_to_record(exc: GatewayError) -> dict[str, Any]:
    return {
        "code": exc.code.value,
        "message": exc.message,
        "field": exc.field,
        "extensions": exc.extensions,
        "order": exc.order.to_dict()
        if isinstance(exc, OrderError) and exc.order is not None
        else None,
        "effect": exc.effect.value,
    }


def raise_recorded(record: dict[str, Any]) -> Any:
    """The ``ok`` value of a record, or raise the error it holds."""
    if "ok" in record:
        return record["ok"]
    data = record["error"]
    raise OrderError(
        ErrorCode(data["code"]),
        data["message"],
        Order.from_dict(data["order"]) if data["order"] else None,
        field=data["field"],
        extensions=data["extensions"],
        # Only an error that may have acted is kept (records from before kept no effect).
        effect=Effect(data.get("effect", Effect.APPLIED.value)),
    )
