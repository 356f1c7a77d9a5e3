"""Structured logs: one JSON object per line, each stamped with the request id.

``install()`` (called by ``checkout-gateway serve``) puts one handler on the
root logger with the JSON formatter, the request-id filter and the card-data
filter. The access log (``gateway.access``) writes one line per request from
fields the middleware collects: never variables, query strings or bodies.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

import orjson

from gateway.observability import request_facts
from gateway.redaction import CardDataFilter

access_log = logging.getLogger("gateway.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_facts.request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
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
