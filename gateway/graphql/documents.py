"""Parsed and validated GraphQL documents, cached by their text.

Parsing and validating the same document again was most of a request's CPU; a
storefront sends a handful of documents, so each is parsed and validated once.
The cache is bounded (an attacker sending endless distinct documents only
evicts entries). Automatic persisted queries (Apollo's APQ) map a SHA-256 hash
to a document text so clients can send the hash alone.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)
from graphql.validation import ASTValidationRule

from gateway.redaction import redact


@dataclass(frozen=True, slots=True)
class Document:
    node: DocumentNode | None
    errors: list[GraphQLError]
    # operation name (None for a lone anonymous one) -> query/mutation/subscription
    operations: dict[str | None, OperationType]
    # What the executor prepared once per operation name (gateway.graphql.executor).
    prepared: dict[str | None, Any] = field(default_factory=dict, compare=False)

    def operation_type(self, name: str | None) -> OperationType | None:
        if name is None and len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return self.operations.get(name)


def holds_card_data(text: str) -> bool:
    """A document with a card number or a CVV written into it (not passed as a variable).

    It is run, but never kept in a cache: card data is not stored anywhere.
    """
    return redact(text) != text


class LRU(OrderedDict[str, object]):
    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def remember(self, key: str, value: object) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)


class DocumentCache:
    def __init__(
        self,
        schema: GraphQLSchema,
        rules: Collection[type[ASTValidationRule]],
        *,
        max_tokens: int,
        hide_suggestions: bool,
        maxsize: int = 512,
    ) -> None:
        self._schema = schema
        self._rules = rules
        self._max_tokens = max_tokens
        self._hide_suggestions = hide_suggestions
        self._documents = LRU(maxsize)
        # Persisted operations: loaded at start, never evicted by a flood of other documents.
        self._pinned: dict[str, Document] = {}
        self.hits = 0
        self.misses = 0

    def get(self, text: str) -> Document:
        found = self._documents.get(text)
        if isinstance(found, Document):
            self._documents.move_to_end(text)
            self.hits += 1
            return found
        pinned = self._pinned.get(text)
        if pinned is not None:
            self.hits += 1
            return pinned
        self.misses += 1
        document = self._load(text)
        if not holds_card_data(text):
            self._documents.remember(text, document)
        return document

    def pin(self, text: str) -> Document:
        """Parse and validate ``text`` now, and keep it for the life of the process."""
        document = self._pinned[text] = self._load(text)
        return document

    def _load(self, text: str) -> Document:
        try:
            node = parse(text, max_tokens=self._max_tokens, no_location=False)
        except GraphQLError as error:
            return Document(None, [error], {})
        errors = validate(self._schema, node, self._rules, hide_suggestions=self._hide_suggestions)
        operations = {
            (d.name.value if d.name else None): d.operation
            for d in node.definitions
            if isinstance(d, OperationDefinitionNode)
        }
        return Document(None if errors else node, errors, operations)


class PersistedQueries:
    """APQ: ``extensions.persistedQuery.sha256Hash`` -> the document text it names."""

    safelist = False  # True: only listed documents run (gateway.graphql.persisted_operations)
    missing_code = "PERSISTED_QUERY_NOT_FOUND"  # an unknown hash; Apollo clients then register

    def __init__(self, maxsize: int = 2048) -> None:
        self._texts = LRU(maxsize)

    def admits(self, text: str) -> bool:
        """Whether this document may run at all (any may, without a safelist)."""
        return True

    def lookup(self, sha256_hash: str) -> str | None:
        text = self._texts.get(sha256_hash)
        return text if isinstance(text, str) else None

    def register(self, sha256_hash: str, text: str) -> bool:
        """Remember ``text`` under its hash; False when the hash does not match the text."""
        if hashlib.sha256(text.encode()).hexdigest() != sha256_hash.lower():
            return False
        if not holds_card_data(text):
            self._texts.remember(sha256_hash.lower(), text)
        return True
