"""The document cache and APQ keep no document with card data written into it."""

from __future__ import annotations

import hashlib

from gateway.graphql.documents import DocumentCache, PersistedQueries
from gateway.schema import build_schema

CARD = "4111111111111111"


def test_documents_with_card_data_are_run_but_never_cached() -> None:
    schema = build_schema()._schema
    cache = DocumentCache(schema, [], max_tokens=5000, hide_suggestions=True)
    inline = (
        'mutation { payWithCard(input: {orderId: "o", paymentMethodId: "m", card: {number: '
        f'"{CARD}", cardholderName: "J", expiryMonth: 1, expiryYear: 2030, '
        'verificationValue: "123"}}) { errors { code } } }'
    )
    assert cache.get(inline).node is not None
    assert cache.get(inline).node is not None
    assert cache.hits == 0 and cache.misses == 2
    plain = "{ __typename }"
    cache.get(plain)
    cache.get(plain)
    assert cache.hits == 1
    persisted = PersistedQueries()
    sha = hashlib.sha256(inline.encode()).hexdigest()
    assert persisted.register(sha, inline) and persisted.lookup(sha) is None
