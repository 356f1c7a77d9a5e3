"""Reading a persisted query manifest: each fault is one line naming the operation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from graphql import specified_rules

from gateway.graphql.documents import DocumentCache
from gateway.graphql.persisted_operations import (
    PersistedOperation,
    PersistedOperations,
    load_persisted_operations,
    read_manifest,
)
from gateway.schema import build_schema
from gateway.settings import ConfigError


def entry(body: str, name: str = "Op", kind: str = "query", **extra: Any) -> dict[str, Any]:
    return {
        "id": hashlib.sha256(body.encode()).hexdigest(),
        "name": name,
        "type": kind,
        "body": body,
        **extra,
    }


def write(tmp_path: Path, content: Any) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def manifest(*operations: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": list(operations),
    }


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not valid JSON"),
        ({"format": "other", "version": 1, "operations": []}, "is not an Apollo persisted"),
        (manifest({"id": "x", "name": "Op"}), "operation #1 needs the strings"),
        (manifest(entry("query Op { __typename }", kind="fetch")), "operation Op: type 'fetch'"),
        (manifest({**entry("query Op { __typename }"), "id": "0" * 64}), "not the SHA-256"),
    ],
)
def test_malformed_manifests_are_one_line(tmp_path: Path, content: Any, says: str) -> None:
    with pytest.raises(ConfigError) as raised:
        read_manifest(write(tmp_path, content))
    assert says in str(raised.value) and "\n" not in str(raised.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        read_manifest(str(tmp_path / "nowhere.json"))


@pytest.fixture(scope="module")
def documents() -> DocumentCache:
    schema = build_schema()._schema
    return DocumentCache(schema, specified_rules, max_tokens=5000, hide_suggestions=False)


@pytest.mark.parametrize(
    ("operation", "says"),
    [
        (entry("query Op { nope }"), "operation Op does not validate: Cannot query field 'nope'"),
        (entry("query Op { checkout("), "operation Op does not validate: Syntax Error"),
        (entry("query Other { __typename }"), "exactly one query named Op"),
        (entry("mutation Op { __typename }"), "exactly one query named Op"),
        (entry("query Op { __typename } query B { __typename }"), "exactly one query"),
    ],
)
def test_operations_that_do_not_fit_stop_the_start(
    tmp_path: Path, documents: DocumentCache, operation: dict[str, Any], says: str
) -> None:
    with pytest.raises(ConfigError, match=says) as raised:
        load_persisted_operations(write(tmp_path, manifest(operation)), documents, safelist=True)
    assert "\n" not in str(raised.value)  # one line


def test_pinned_documents_outlive_a_flood(documents: DocumentCache, tmp_path: Path) -> None:
    body = "query Pinned { __typename }"
    load_persisted_operations(
        write(tmp_path, manifest(entry(body, "Pinned"))), documents, safelist=False
    )
    for n in range(600):  # more than the cache holds
        documents.get(f"query Flood{n} {{ __typename }}")
    misses = documents.misses
    assert documents.get(body).node is not None and documents.misses == misses


def test_safelist_off_keeps_apq_and_lists_the_manifest_first() -> None:
    body = "query Op { __typename }"
    listed = PersistedOperations([PersistedOperation(**entry(body))], safelist=False)
    other = "{ __typename }"
    sha = hashlib.sha256(other.encode()).hexdigest()
    assert listed.admits(other) and listed.register(sha, other) and listed.lookup(sha) == other
    assert listed.lookup(entry(body)["id"]) == body
    safelisted = PersistedOperations([PersistedOperation(**entry(body))], safelist=True)
    assert safelisted.register(sha, other) and safelisted.lookup(sha) is None
    assert not safelisted.register(sha, other + " ") and not safelisted.admits(other)
    assert safelisted.missing_code == "PERSISTED_QUERY_NOT_IN_LIST"
