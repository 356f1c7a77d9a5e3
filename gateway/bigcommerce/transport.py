"""One aiohttp session to BigCommerce: pooled connections, per-call timeouts, safe retries.

Every upstream request goes through ``UpstreamTransport.call``. It sizes the
timeout from the call class and what is left of the request deadline, retries
only what is safe to send again (reads, and anything that never left this
process), and turns every failure into an ``UpstreamError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy

from gateway import deadline
from gateway.bigcommerce.errors import UpstreamError, error_from_response, unavailable
from gateway.bigcommerce.observer import NullObserver, UpstreamObserver
from gateway.errors import ErrorCode
from gateway.settings import Settings


class CallClass(Enum):
    """What kind of call this is: decides its timeout and whether it may be sent twice."""

    READ = "read"
    WRITE = "write"  # addresses and consignments: idempotent in effect but slow (tax provider)
    TOKEN = "token"  # noqa: S105 (a call class, not a secret). Minting a PAT: a spare unused token harms nothing
    ORDER = "order"
    PAYMENT = "payment"

    @property
    def resendable(self) -> bool:
        """May be sent again after it possibly reached BigCommerce."""
        return self in (CallClass.READ, CallClass.TOKEN)


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    headers: CIMultiDictProxy[str]
    data: Any


MAX_ATTEMPTS = 3
BACKOFF_BASE_S = 0.05
BACKOFF_CAP_S = 1.0
CONNECT_TIMEOUT_S = 3.0


class UpstreamTransport:
    def __init__(self, settings: Settings, observer: UpstreamObserver | None = None) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None
        self.observer: UpstreamObserver = observer or NullObserver()

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=self._settings.upstream_pool_size,
            ttl_dns_cache=300,
            keepalive_timeout=10.0,  # under the upstream idle timeout: reuse never races a close
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self._settings.deadline_s),
            json_serialize=lambda obj: orjson.dumps(obj).decode(),
            raise_for_status=False,
            auto_decompress=True,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the upstream transport is not started")
        return self._session

    def _timeout_for(self, call: CallClass) -> float:
        t = self._settings.timeouts
        return {
            CallClass.READ: t.read,
            CallClass.WRITE: t.write,
            CallClass.TOKEN: t.write,
            CallClass.ORDER: t.order,
            CallClass.PAYMENT: t.payment,
        }[call]

    async def call(
        self,
        call: CallClass,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        endpoint: str,
        json: Any = None,
        field_prefix: tuple[str, ...] = ("input",),
    ) -> UpstreamResponse:
        """Send one logical request; return a 2xx response or raise ``UpstreamError``.

        ``endpoint`` names the call for metrics and traces (``get_checkout``).
        """
        body = orjson.dumps(json) if json is not None else None
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send_once(
                    call, endpoint, method, url, headers, body, field_prefix
                )
            except UpstreamError as exc:
                if not self._should_retry(call, exc, attempt):
                    raise
                delay = random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))
                if deadline.remaining(self._settings.deadline_s) <= delay + 0.05:
                    raise
                self.observer.retried(endpoint, "unavailable")
                await asyncio.sleep(delay)

    @staticmethod
    def _should_retry(call: CallClass, exc: UpstreamError, attempt: int) -> bool:
        if attempt >= MAX_ATTEMPTS or exc.code is not ErrorCode.UPSTREAM_UNAVAILABLE:
            return False
        return call.resendable or not exc.reached

    async def _send_once(
        self,
        call: CallClass,
        endpoint: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        field_prefix: tuple[str, ...],
    ) -> UpstreamResponse:
        left = deadline.remaining(self._settings.deadline_s)
        if left <= 0:
            raise unavailable(reached=False)
        total = min(self._timeout_for(call), left)
        timeout = aiohttp.ClientTimeout(total=total, connect=min(CONNECT_TIMEOUT_S, total))
        is_payment = call is CallClass.PAYMENT
        may_duplicate = call in (CallClass.PAYMENT, CallClass.ORDER)
        started = time.monotonic()
        try:
            async with self.session.request(
                method, url, headers=headers, data=body, timeout=timeout, allow_redirects=False
            ) as response:
                raw = await response.read()
                status = response.status
                resp_headers = response.headers
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
            # Never left this process (refused, or no pool slot/connection in time).
            self.observer.call_finished(endpoint, "error", time.monotonic() - started)
            raise unavailable(reached=False) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            # Sent, or possibly sent: the outcome of a write is unknown.
            kind = "timeout" if isinstance(exc, TimeoutError) else "error"
            self.observer.call_finished(endpoint, kind, time.monotonic() - started)
            raise unavailable(reached=True, outcome_unknown=may_duplicate) from None
        self.observer.call_finished(endpoint, str(status), time.monotonic() - started)
        data = _decode(raw)
        if 200 <= status < 300:
            if data is _UNREADABLE:
                raise unavailable(reached=True, outcome_unknown=may_duplicate, status=status)
            return UpstreamResponse(status, resp_headers, data)
        raise error_from_response(
            status,
            None if data is _UNREADABLE else data,
            field_prefix=field_prefix,
            retry_after_ms=_retry_after_ms(resp_headers) if status == 429 else None,
            payment_sent=is_payment or (may_duplicate and status >= 500),
        )


_UNREADABLE = object()


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _UNREADABLE  # an HTML error page from a proxy, or a cut body


def _retry_after_ms(headers: Mapping[str, str]) -> int | None:
    """The longer of BigCommerce's reset time and X-Retry-After, in ms (None when absent)."""
    waits = []
    reset = headers.get("X-Rate-Limit-Time-Reset-Ms")
    if reset is not None:
        with contextlib.suppress(ValueError):
            waits.append(int(float(reset)))
    retry_after = headers.get("X-Retry-After") or headers.get("Retry-After")
    if retry_after is not None:
        with contextlib.suppress(ValueError):
            waits.append(int(float(retry_after) * 1000))
    return max(waits) if waits else None
