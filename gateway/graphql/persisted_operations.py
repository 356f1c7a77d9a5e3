"""Persisted operations: an Apollo persisted query manifest, loaded and checked at start.

The manifest (``GATEWAY_PERSISTED_OPERATIONS``) lists the operations a frontend
ships, each under the SHA-256 of its body. Every body is parsed and validated
against the schema once, at start, and pinned in the document cache, so a
request naming an id skips parsing and validation. With the safelist on
(``GATEWAY_SAFELIST=1``) only those operations run and automatic persisted
query registration is off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from gateway.graphql.documents import DocumentCache, PersistedQueries
from gateway.settings import ConfigError

MANIFEST_FORMAT = "apollo-persisted-query-manifest"
OPERATION_TYPES = ("query", "mutation", "subscription")

# Apollo Router's codes for a request the safelist refuses.
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
NOT_IN_SAFELIST = "QUERY_NOT_IN_SAFELIST"


@dataclass(frozen=True, slots=True)
class PersistedOperation:
    id: str
    name: str
    type: str
    body: str


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read_manifest(path: str) -> list[PersistedOperation]:
    """The manifest's operations, or a ConfigError naming what is wrong (and which operation)."""
    where = f"GATEWAY_PERSISTED_OPERATIONS ({path})"
    try:
        raw = orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise ConfigError(f"{where} cannot be read: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{where} is not valid JSON: {exc}") from None
    if (
        not isinstance(raw, dict)
        or raw.get("format") != MANIFEST_FORMAT
        or raw.get("version") != 1
        or not isinstance(raw.get("operations"), list)
    ):
        raise ConfigError(
            f'{where} is not an Apollo persisted query manifest (format "{MANIFEST_FORMAT}", '
            "version 1, operations)"
        )
    return [_operation(where, index, entry) for index, entry in enumerate(raw["operations"])]


def _operation(where: str, index: int, entry: Any) -> PersistedOperation:
    fields = ("id", "name", "type", "body")
    if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in fields):
        raise ConfigError(f"{where}: operation #{index + 1} needs the strings id, name, type, body")
    operation = PersistedOperation(entry["id"], entry["name"], entry["type"], entry["body"])
    if operation.type not in OPERATION_TYPES:
        raise ConfigError(
            f"{where}: operation {operation.name}: type {operation.type!r} is unknown"
        )
    if operation.id.lower() != sha256_hex(operation.body):
        raise ConfigError(f"{where}: operation {operation.name}: id is not the SHA-256 of its body")
    return operation


class PersistedOperations(PersistedQueries):
    """Manifest ids to bodies, then (safelist off) APQ's registered documents."""

    def __init__(self, operations: list[PersistedOperation], *, safelist: bool) -> None:
        super().__init__()
        self.safelist = safelist
        self._bodies = {op.id.lower(): op.body for op in operations}
        self._listed = frozenset(self._bodies.values())
        if safelist:
            self.missing_code = NOT_IN_LIST

    def lookup(self, sha256_hash: str) -> str | None:
        body = self._bodies.get(sha256_hash)
        if body is not None or self.safelist:
            return body
        return super().lookup(sha256_hash)

    def register(self, sha256_hash: str, text: str) -> bool:
        if self.safelist:  # registration is off: only the hash is checked
            return sha256_hex(text) == sha256_hash.lower()
        return super().register(sha256_hash, text)

    def admits(self, text: str) -> bool:
        return not self.safelist or text in self._listed


def load_persisted_operations(
    path: str, documents: DocumentCache, *, safelist: bool
) -> PersistedOperations:
    """Read, validate and pin the manifest's operations; a ConfigError names the first bad one."""
    operations = read_manifest(path)
    for operation in operations:
        document = documents.pin(operation.body)
        where = f"GATEWAY_PERSISTED_OPERATIONS: operation {operation.name}"
        if document.errors:
            raise ConfigError(f"{where} does not validate: {document.errors[0].message}")
        kinds = document.operations
        if list(kinds) != [operation.name] or kinds[operation.name].value != operation.type:
            raise ConfigError(
                f"{where}: its body must hold exactly one {operation.type} named {operation.name}"
            )
    return PersistedOperations(operations, safelist=safelist)
