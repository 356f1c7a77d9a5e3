"""Structured logs: one JSON object per line, each stamped with the request id.

``install()`` (called by ``checkout-gateway serve``) puts one handler on the
root logger with the JSON formatter, the request-id filter and the card-data
filter. The access log (``gateway.access``) writes one line per request from
fields the middleware collects: never variables, query strings or bodies.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any, ClassVar, TextIO

import orjson

from gateway.observability import request_facts
from gateway.redaction import CardDataFilter

access_log = logging.getLogger("gateway.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_facts.request_id.get()
        return True


class AccessRecord(logging.LogRecord):
    """The access line's record: every attribute a ``LogRecord`` has, with the same values.

    ``LogRecord.__init__`` works out per call what never changes between access lines (the
    level's name, the source file's name and module, the thread's and process's names):
    here they are copied from a record made once per process and thread, and only the time
    is new. Half the cost of the record (the access line is written for every request).
    """

    fields: dict[str, Any]
    request_id: str | None
    # Copied into each record; made again in another process or thread, never changed.
    _template: ClassVar[dict[str, Any]] = {}

    def __init__(self, fields: dict[str, Any], request_id: str | None) -> None:
        now = time.time()
        template = AccessRecord._template
        if template.get("thread") != threading.get_ident() or template.get("process") != (
            os.getpid()
        ):
            template = AccessRecord._template = _record_template()
        self.__dict__.update(template)
        self.created = now
        self.msecs = int((now - int(now)) * 1000) + 0.0
        self.relativeCreated = template["relativeCreated"] + (now - template["created"]) * 1000
        self.fields = fields
        self.request_id = request_id


def _record_template() -> dict[str, Any]:
    record = logging.LogRecord(access_log.name, logging.INFO, __file__, 0, "request", (), None)
    return dict(record.__dict__)


class JsonFormatter(logging.Formatter):
    # The timestamp's whole seconds, formatted once a second: (seconds, text).
    _second: tuple[int, str] = (-1, "")

    def _timestamp(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        known, text = self._second
        if known != second:
            text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, text)
        return f"{text}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": self._timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_text:  # already redacted by CardDataFilter
            line["exception"] = record.exc_text
        elif record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def install(stream: TextIO | None = None, level: int = logging.INFO) -> logging.Handler:
    """JSON lines on stderr (or ``stream``) for every logger that propagates to the root."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(CardDataFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_gateway_json", False)]:
        root.removeHandler(old)
    handler._gateway_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # The access line holds only fields the middleware builds (no variables, the operation
    # name redacted there), so it skips the card-data regexes: half its cost per request.
    access = logging.StreamHandler(stream or sys.stderr)
    access.setFormatter(JsonFormatter())
    access.addFilter(RequestIdFilter())
    for old in [h for h in access_log.handlers if getattr(h, "_gateway_json", False)]:
        access_log.removeHandler(old)
    access._gateway_json = True  # type: ignore[attr-defined]
    access_log.addHandler(access)
    access_log.propagate = False
    return handler
