"""Strict reading of JSON request bodies. Bad input raises ``Invalid``; the app maps it to
the 4xx body of the API family the request went to (never a 500)."""

from __future__ import annotations

import json
from typing import Any


class Invalid(Exception):
    """A missing or mistyped field (HTTP 422)."""

    def __init__(self, field: str, message: str, *, missing: bool = False) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.missing = missing


class Malformed(Exception):
    """A body that is not JSON at all (HTTP 400)."""


def parse_json(raw: bytes, *, allow_empty: bool = False) -> Any:
    if not raw.strip():
        if allow_empty:
            return None
        raise Malformed("The request body is empty.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed("The request body is not valid JSON.") from exc


def as_object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(field, "must be an object")
    return value


def as_list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(field, "must be an array")
    return value


def opt_str(obj: dict[str, Any], key: str, field: str = "") -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(field or key, "must be a string")
    return value


def req_str(obj: dict[str, Any], key: str, field: str = "") -> str:
    value = opt_str(obj, key, field)
    if value is None or not value.strip():
        raise Invalid(field or key, f"{key} is required", missing=True)
    return value


def _int_value(value: Any, field: str) -> int:
    # JSON numbers like 2.0 are accepted as integers; booleans are not numbers here.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(field, "must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise Invalid(field, "must be an integer")
        return int(value)
    return value


def opt_int(obj: dict[str, Any], key: str, field: str = "") -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    return _int_value(value, field or key)


def req_int(obj: dict[str, Any], key: str, field: str = "") -> int:
    if obj.get(key) is None:
        raise Invalid(field or key, f"{key} is required", missing=True)
    return _int_value(obj[key], field or key)


def opt_number(obj: dict[str, Any], key: str, field: str = "") -> float | int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(field or key, "must be a number")
    return value


def opt_bool(obj: dict[str, Any], key: str, field: str = "") -> bool | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise Invalid(field or key, "must be a boolean")
    return value
