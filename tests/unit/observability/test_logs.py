"""The access line's record is a LogRecord like any other, and the JSON line is unchanged."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import orjson

from gateway.observability.logs import AccessRecord, JsonFormatter, access_log

FIELDS: dict[str, Any] = {
    "method": "POST",
    "path": "/graphql",
    "status": 200,
    "operation": "Checkout",
    "outcome": "ok",
    "duration_ms": 0.812,
    "upstream_calls": 1,
}
TIME_DEPENDENT = {"created", "msecs", "relativeCreated"}


def _made_by_logging(request_id: str) -> logging.LogRecord:
    return access_log.makeRecord(
        access_log.name, logging.INFO, __file__, 0, "request", (), None,
        extra={"fields": FIELDS, "request_id": request_id},
    )  # fmt: skip


def test_the_access_record_has_every_attribute_of_a_log_record_with_the_same_values() -> None:
    ours = vars(AccessRecord(FIELDS, "rid-1"))
    theirs = vars(_made_by_logging("rid-1"))
    assert ours.keys() == theirs.keys()
    source = {"pathname", "filename", "module"}  # where each was made
    for name in ours.keys() - TIME_DEPENDENT - source:
        assert ours[name] == theirs[name], name
    assert ours["module"] == "logs" and ours["filename"] == "logs.py"
    assert abs(ours["created"] - theirs["created"]) < 60
    assert ours["msecs"] == int((ours["created"] % 1) * 1000)
    assert abs(ours["relativeCreated"] - theirs["relativeCreated"]) < 60_000


def test_a_record_made_in_another_thread_names_that_thread() -> None:
    AccessRecord(FIELDS, None)  # the template of this thread first
    made: list[AccessRecord] = []
    worker = threading.Thread(target=lambda: made.append(AccessRecord(FIELDS, None)), name="w-1")
    worker.start()
    worker.join()
    assert made[0].threadName == "w-1" and made[0].thread == worker.ident
    assert AccessRecord(FIELDS, None).threadName == threading.current_thread().name


def test_the_json_line_is_the_one_logging_makes() -> None:
    formatter = JsonFormatter()
    ours = orjson.loads(formatter.format(AccessRecord(FIELDS, "rid-2")))
    theirs = orjson.loads(formatter.format(_made_by_logging("rid-2")))
    assert list(ours) == list(theirs) == [
        "ts", "level", "logger", "message", "request_id", *FIELDS
    ]  # fmt: skip
    ours.pop("ts"), theirs.pop("ts")
    assert ours == theirs == {
        "level": "info", "logger": "gateway.access", "message": "request",
        "request_id": "rid-2", **FIELDS,
    }  # fmt: skip


def test_the_timestamp_follows_the_clock_across_seconds() -> None:
    formatter = JsonFormatter()
    record = AccessRecord(FIELDS, None)
    for created in (1_700_000_000.999, 1_700_000_001.0, 1_700_000_001.5, 1_699_999_999.25):
        record.created = created
        record.msecs = int((created % 1) * 1000)
        expected = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
        expected += f".{int(record.msecs):03d}Z"
        assert orjson.loads(formatter.format(record))["ts"] == expected
