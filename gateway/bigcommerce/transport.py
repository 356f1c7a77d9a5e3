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
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import ClientRequest
from aiohttp.connector import Connection
from aiohttp.tracing import Trace
from multidict import CIMultiDictProxy

from gateway import deadline
from gateway.bigcommerce.breaker import Admission, BreakerState, CircuitBreaker, Outcome
from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.errors import (
    FieldPath,
    UpstreamError,
    as_named,
    error_from_response,
    unavailable,
)
from gateway.bigcommerce.observer import NullObserver, UpstreamObserver
from gateway.bigcommerce.ratelimit import RateLimits, rate_limited, wait_or_refuse
from gateway.bigcommerce.retry_budget import RetryBudget
from gateway.domain.slot_init import slot_init
from gateway.errors import Effect, ErrorCode
from gateway.settings import PAYMENT_READ_BACK_S, Settings


@slot_init
@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    headers: CIMultiDictProxy[str]
    data: Any


MAX_ATTEMPTS = 3
BACKOFF_BASE_S = 0.05
BACKOFF_CAP_S = 1.0
CONNECT_TIMEOUT_S = 3.0
PAYMENT_READ_BACK_RESERVE_S = PAYMENT_READ_BACK_S
MIN_ATTEMPT_S = 0.05
MAX_RATE_LIMIT_WAITS = 4  # 429s answered by waiting, per logical request
HEADERLESS_429_BACKOFF_S = 0.25  # doubled per wait, capped at BACKOFF_CAP_S * 2


class UpstreamTransport:
    def __init__(self, settings: Settings, observer: UpstreamObserver | None = None) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None
        self.observer: UpstreamObserver = observer or NullObserver()
        self.breaker = CircuitBreaker(settings.breaker)
        self.rate_limits = RateLimits()
        self.retry_budget = RetryBudget(ratio=settings.retry_budget_ratio)
        t = settings.timeouts
        seconds = {
            CallClass.READ: t.read,
            CallClass.WRITE: t.write,
            CallClass.TOKEN: t.write,
            CallClass.ORDER: t.order,
            CallClass.PAYMENT: t.payment,
        }
        # Each class's own timeout, and the aiohttp timeout that goes with it when the
        # deadline leaves more than that (nearly always): built once, not per attempt.
        self._timeouts = {call: (s, _attempt_timeout(s)) for call, s in seconds.items()}

    async def start(self) -> None:
        connector = _CountingConnector(
            lambda: self.observer.connection_opened(),
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

    async def call(
        self,
        call: CallClass,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        endpoint: str,
        json: Any = None,
        field_path: FieldPath = as_named,
    ) -> UpstreamResponse:
        """Send one logical request; return a 2xx response or raise ``UpstreamError``.

        ``endpoint`` names the call for metrics and traces (``get_checkout``). The breaker
        admits a logical request once and judges it once, its retries included.
        """
        admission = self.breaker.admit()  # open: refused at once, nothing sent
        outcome = Outcome.NEUTRAL  # unless set below (e.g. cancelled)
        try:
            response = await self._attempts(call, method, url, headers, endpoint, json, field_path)
        except UpstreamError as exc:
            outcome = _outcome_of(exc)
            raise
        else:
            outcome = Outcome.SUCCESS
            return response
        finally:
            self.record_outcome(admission, outcome)

    async def _attempts(
        self,
        call: CallClass,
        method: str,
        url: str,
        headers: Mapping[str, str],
        endpoint: str,
        json: Any,
        field_path: FieldPath,
    ) -> UpstreamResponse:
        """The attempts of one logical request: retried while safe, 429s waited out."""
        body = orjson.dumps(json) if json is not None else None
        host = "payments" if call is CallClass.PAYMENT else "api"
        self.retry_budget.on_request()
        attempt = 0
        rate_limit_waits = 0
        while True:
            attempt += 1
            if deadline.remaining(self._settings.deadline_s) <= 0:
                raise unavailable(Effect.NONE)
            # A known-spent quota: nothing is sent.
            await self.rate_limits.admit(host, endpoint, self.observer, self._settings.deadline_s)
            try:
                with self.observer.attempt(endpoint, method, headers) as sent_headers:
                    response = await self._send_once(
                        call, endpoint, method, url, sent_headers, body, field_path
                    )
            except UpstreamError as exc:
                if exc.code is ErrorCode.RATE_LIMITED:
                    # A 429 did nothing upstream: waiting and resending is safe, payments included.
                    rate_limit_waits += 1
                    await self._wait_after_429(exc, endpoint, rate_limit_waits)
                    attempt -= 1
                    continue
                if not self._should_retry(exc, attempt) or not self.retry_budget.try_spend():
                    raise
                delay = random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))
                if deadline.remaining(self._settings.deadline_s) <= delay + 0.05:
                    raise
                self.observer.retried(endpoint, "unavailable")
                await asyncio.sleep(delay)
            else:
                return response

    def record_outcome(self, admission: Admission, outcome: Outcome) -> None:
        if self.breaker.record(admission, outcome):
            is_open = self.breaker.state is not BreakerState.CLOSED
            self.observer.breaker_changed(self._settings.store_hash, is_open)

    async def _wait_after_429(self, exc: UpstreamError, endpoint: str, waits: int) -> None:
        """Wait as BigCommerce asked (or back off when it did not say), or raise RATE_LIMITED."""
        if exc.retry_after_ms is not None:
            wait_s = exc.retry_after_ms / 1000
        else:
            wait_s = min(HEADERLESS_429_BACKOFF_S * 2 ** (waits - 1), BACKOFF_CAP_S * 2)
        if waits > MAX_RATE_LIMIT_WAITS:
            raise rate_limited(wait_s)
        await wait_or_refuse(wait_s, endpoint, self.observer, self._settings.deadline_s)

    @staticmethod
    def _should_retry(exc: UpstreamError, attempt: int) -> bool:
        """Only what certainly did nothing that matters upstream is sent again."""
        if attempt >= MAX_ATTEMPTS or exc.code is not ErrorCode.UPSTREAM_UNAVAILABLE:
            return False
        return exc.effect is Effect.NONE

    async def _send_once(
        self,
        call: CallClass,
        endpoint: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        field_path: FieldPath,
    ) -> UpstreamResponse:
        left = deadline.remaining(self._settings.deadline_s)
        if call is CallClass.PAYMENT:
            # Keep time to read the order back if the answer is lost: a payment whose
            # outcome could not be checked before the deadline is not started at all.
            left -= min(PAYMENT_READ_BACK_RESERVE_S, left / 4)
        if left <= MIN_ATTEMPT_S:
            raise unavailable(Effect.NONE)
        own, own_timeout = self._timeouts[call]
        timeout = own_timeout if own <= left else _attempt_timeout(left)
        is_payment = call is CallClass.PAYMENT
        started = time.monotonic()
        try:
            async with self.session.request(
                method, url, headers=headers, data=body, timeout=timeout, allow_redirects=False
            ) as response:
                raw = await response.read()
                status = response.status
                resp_headers = response.headers
        except aiohttp.ClientConnectorError:
            # Could not connect (refused): never left this process, and a hard-down sign.
            self.observer.call_finished(endpoint, "error", time.monotonic() - started)
            raise CannotConnect() from None
        except aiohttp.ConnectionTimeoutError:
            # Never left this process (no pool slot or connection in time).
            self.observer.call_finished(endpoint, "error", time.monotonic() - started)
            raise unavailable(Effect.NONE) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            # Sent, or possibly sent: the outcome of a write is unknown.
            kind = "timeout" if isinstance(exc, TimeoutError) else "error"
            self.observer.call_finished(endpoint, kind, time.monotonic() - started)
            raise unavailable(call.effect(answered=False)) from None
        self.observer.call_finished(endpoint, str(status), time.monotonic() - started)
        self.rate_limits.window("payments" if is_payment else "api").observe(resp_headers)
        data = _decode(raw)
        if 200 <= status < 300:
            if data is _UNREADABLE:
                raise unavailable(call.effect(answered=False), status=status)
            return UpstreamResponse(status, resp_headers, data)
        raise error_from_response(
            status,
            None if data is _UNREADABLE else data,
            call,
            field_path=field_path,
            retry_after_ms=_retry_after_ms(resp_headers) if status == 429 else None,
        )


def _attempt_timeout(total: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=total, connect=min(CONNECT_TIMEOUT_S, total))


class _CountingConnector(aiohttp.TCPConnector):
    """Counts new connections: a pool that stops reusing them shows up as a rising metric.

    An aiohttp ``TraceConfig`` could count them too, but any trace config makes every
    request build and await half a dozen trace events (about 3% of a checkout read's CPU).
    """

    def __init__(self, opened: Callable[[], None], **options: Any) -> None:
        super().__init__(**options)
        self._opened = opened
        self._seen: weakref.WeakSet[ResponseHandler] = weakref.WeakSet()

    async def connect(
        self,
        req: ClientRequest,
        traces: list[Trace],
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 - aiohttp's own signature
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        protocol = connection.protocol
        if protocol is not None and protocol not in self._seen:
            self._seen.add(protocol)
            self._opened()
        return connection


class CannotConnect(UpstreamError):
    """UPSTREAM_UNAVAILABLE because no connection could be made: nothing was sent."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.UPSTREAM_UNAVAILABLE, effect=Effect.NONE)


def _outcome_of(exc: UpstreamError) -> Outcome:
    """What a request that ended in ``exc`` (its last attempt's error) says about the upstream."""
    if isinstance(exc, CannotConnect):
        return Outcome.HARD_DOWN
    if exc.code is ErrorCode.UPSTREAM_UNAVAILABLE:
        return Outcome.FAILURE
    if exc.code is ErrorCode.RATE_LIMITED:
        return Outcome.NEUTRAL  # busy, not down (and maybe not even sent)
    return Outcome.SUCCESS  # BigCommerce answered: a refusal is a working upstream


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
