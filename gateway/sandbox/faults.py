"""Fault injection for tests: make the next N matching requests fail in a chosen way.

Rules are added from Python (possibly from another thread than the server's loop),
so the registry is guarded by a lock.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal[
    "status", "html_502", "delay", "rate_limit", "drop", "drop_after_effect", "status_after_effect"
]


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    http_status: int = 0
    body: bytes | dict[str, Any] | list[Any] | None = None
    headers: dict[str, str] | None = None
    seconds: float = 0.0
    reset_ms: int = 1500
    retry_after_s: int | None = None
    with_headers: bool = True

    @classmethod
    def status(cls, status: int, body: Any = None, headers: dict[str, str] | None = None) -> Fault:
        """Answer ``status`` with ``body`` (bytes as-is, dict/list as JSON, None: a v3 error)."""
        return cls("status", http_status=status, body=body, headers=headers)

    @classmethod
    def status_after_effect(
        cls, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> Fault:
        """Handle the request (the payment is taken), then answer ``status`` with ``body``:
        a processor that charged and failed before it could say so."""
        return cls("status_after_effect", http_status=status, body=body, headers=headers)

    @classmethod
    def html_502(cls) -> Fault:
        """What a load balancer in front of BigCommerce answers when the origin is down."""
        return cls("html_502", http_status=502)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait, then handle the request normally."""
        return cls("delay", seconds=seconds)

    @classmethod
    def rate_limit(
        cls, reset_ms: int = 1500, retry_after_s: int | None = None, with_headers: bool = True
    ) -> Fault:
        """A 429; ``with_headers=False`` mimics the header-less 429 of platform load."""
        return cls(
            "rate_limit",
            http_status=429,
            reset_ms=reset_ms,
            retry_after_s=retry_after_s,
            with_headers=with_headers,
        )

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection before handling: nothing happened."""
        return cls("drop")

    @classmethod
    def drop_after_effect(cls) -> Fault:
        """Handle the request (state changes, e.g. the payment is taken), then lose the answer."""
        return cls("drop_after_effect")


@dataclass
class FaultRule:
    method: str | None
    path: re.Pattern[str]
    fault: Fault
    remaining: int | None
    hits: int = field(default=0)
    passes: int = 0  # matching requests still let through before the fault applies


class FaultRegistry:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(
        self,
        method: str | None = None,
        path: str = r".*",
        fault: Fault | None = None,
        times: int | None = 1,
        after: int = 0,
    ) -> FaultRule:
        """The next ``times`` requests (None: until cleared) whose method is ``method``
        (None or "*": any) and whose path ``re.fullmatch``es ``path`` get ``fault``, once
        ``after`` such requests have gone through untouched."""
        if fault is None:
            raise ValueError("fault is required")
        rule = FaultRule(
            method=None if method in (None, "*") else str(method).upper(),
            path=re.compile(path),
            fault=fault,
            remaining=times,
            passes=after,
        )
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any, consuming one use of its rule."""
        if not self._rules:  # fast path: no lock when nothing is injected
            return None
        with self._lock:
            for rule in self._rules:
                if rule.method is not None and rule.method != method:
                    continue
                if rule.path.fullmatch(path) is None:
                    continue
                if rule.passes > 0:
                    rule.passes -= 1
                    return None
                rule.hits += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                return rule.fault
        return None
