"""Hostile and malformed requests, each answered with its documented status and code.

Every case goes to a production-mode gateway with client keys over real HTTP, once asking
for ``application/graphql-response+json`` and once for ``application/json``. Beyond its own
expectation, every answer is checked for what must never happen: a 500, a traceback, a
non-JSON body, or a card number or CVV of the request coming back.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson
import pytest

from gateway.domain.order_ids import OrderIdCodec
from gateway.http.negotiation import GRAPHQL_RESPONSE, JSON
from tests.live_gateway import flow
from tests.security.cards import ALL_CARDS, TWELVE_DIGITS, TWENTY_DIGITS
from tests.security.secured import KEYS, Answer, SecuredGateway

GOOD_CARD = {**flow.GOOD_CARD, "verificationValue": "987"}
Send = Callable[[SecuredGateway, dict[str, Any]], Awaitable[Answer]]
# A well-formed request that fails before execution (the document does not parse or
# validate, the operation cannot be chosen, the variables do not coerce): GraphQL over HTTP
# answers it 400 under application/graphql-response+json and 200 under application/json.
REQUEST_ERROR = 0
# Refused by the HTTP guard before any GraphQL: always plain application/json.
GUARD_STATUSES = frozenset({401, 413, 414, 415, 429})


@dataclass(frozen=True)
class Case:
    name: str
    send: Send
    status: int  # or REQUEST_ERROR
    code: str | None  # top-level errors[0].extensions.code, or the payload's first error
    payload: str | None = None  # the mutation whose payload carries the code


def _json(body: Any, **headers: str) -> Send:
    async def send(gw: SecuredGateway, _world: dict[str, Any]) -> Answer:
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        return await gw.raw(
            data=raw, headers={"Content-Type": "application/json", **gw.auth(), **headers}
        )

    return send


def _query(query: str, variables: dict[str, Any] | None = None) -> Send:
    return _json({"query": query, "variables": variables or {}})


def _op(name: str, variables: Callable[[dict[str, Any]], dict[str, Any]]) -> Send:
    async def send(gw: SecuredGateway, world: dict[str, Any]) -> Answer:
        return await gw.post(
            {"query": gw.ops.document, "operationName": name, "variables": variables(world)}
        )

    return send


def _pay(card: dict[str, Any], order: str = "real") -> Send:
    def variables(world: dict[str, Any]) -> dict[str, Any]:
        order_id = world["order_id"] if order == "real" else world[order]
        return {
            "input": {
                "orderId": order_id,
                "paymentMethodId": "braintree.card",
                "card": card,
                "saveInstrument": False,
            }
        }

    return _op("PayWithCard", variables)


def _billing(**address: Any) -> Send:
    def variables(world: dict[str, Any]) -> dict[str, Any]:
        merged = {**flow.US_ADDRESS, **address}
        return {"input": {"checkoutId": world["checkout_id"], "address": merged}}

    return _op("AddBillingAddress", variables)


def _raw(method: str, data: Any = None, auth: bool = True, **kw: Any) -> Send:
    async def send(gw: SecuredGateway, _world: dict[str, Any]) -> Answer:
        headers = {**(gw.auth() if auth else {}), **kw.pop("headers", {})}
        return await gw.raw(method, data=data, headers=headers, **kw)

    return send


def _chunked(size: int) -> Send:
    async def send(gw: SecuredGateway, _world: dict[str, Any]) -> Answer:
        async def body() -> Any:
            chunk = b" " * 65536
            for _ in range(size // len(chunk)):
                yield chunk

        headers = {"Content-Type": "application/json", **gw.auth()}
        return await gw.raw(data=body(), headers=headers)

    return send


def _nested(depth: int) -> str:
    return "{ " + 'checkout(id: "x") { ' * depth + "id" + " }" * depth + " }"


def _fragment_aliases() -> str:
    # 10 aliases, each level spreads the one below ten times: 1,000 aliases after expansion.
    aliases = " ".join(f"a{i}: __typename" for i in range(10))

    def spread(name: str) -> str:
        return " ".join(f"...{name}" for _ in range(10))

    return (
        f"query Q {{ ...F3 }} fragment F1 on Query {{ {aliases} }} "
        f"fragment F2 on Query {{ {spread('F1')} }} fragment F3 on Query {{ {spread('F2')} }}"
    )


PAY_TWICE = (
    'mutation { a: payWithCard(input: {orderId: "x", paymentMethodId: "m", card: '
    '{number: "1", cardholderName: "a", expiryMonth: 1, expiryYear: 2030, '
    'verificationValue: "1"}}) { errors { code } } b: payWithStoredCard(input: {orderId: "x", '
    'paymentMethodId: "m", token: "t"}) { errors { code } } }'
)

CASES = [
    # The HTTP envelope.
    Case("malformed JSON", _json(b'{"query": "{ __typename }"'), 400, "BAD_REQUEST"),
    Case("invalid UTF-8", _json(b'{"query": "{ __typename \xff\xfe }"}'), 400, "BAD_REQUEST"),
    Case("empty body", _json(b""), 400, "BAD_REQUEST"),
    Case("JSON string body", _json("query"), 400, "BAD_REQUEST"),
    Case("query not a string", _json({"query": 42}), 400, "BAD_REQUEST"),
    Case("variables not an object", _json({"query": "{ __typename }", "variables": [1]}),
         400, "BAD_REQUEST"),
    Case("no query", _json({"variables": {}}), 400, "BAD_REQUEST"),
    Case("unknown operationName", _json({"query": "query A { __typename }",
                                         "operationName": "B"}), REQUEST_ERROR, "BAD_REQUEST"),
    Case("array batch", _json([{"query": "{ __typename }"}] * 2), 400, "BATCHING_NOT_SUPPORTED"),
    Case("1 MB query", _json({"query": "{ __typename " + " " * 1_048_576 + "}"}),
         413, "PAYLOAD_TOO_LARGE"),
    Case("1 MB chunked body, no Content-Length", _chunked(1_048_576), 413, "PAYLOAD_TOO_LARGE"),
    Case("20k tokens", _query("{ " + "a " * 20_000 + "}"), REQUEST_ERROR, "GRAPHQL_PARSE_FAILED"),
    Case("syntax error", _query("{ checkout(id: 4111111111111111 "), REQUEST_ERROR,
         "GRAPHQL_PARSE_FAILED"),
    Case("GET mutation", _raw("GET", params={"query": "mutation { __typename }"}),
         405, "METHOD_NOT_ALLOWED"),
    Case("PUT", _raw("PUT", data=b"{}", headers={"Content-Type": "application/json"}), 405, None),
    Case("text/plain POST", _raw("POST", data=b'{"query":"{ __typename }"}',
                                 headers={"Content-Type": "text/plain"}),
         415, "UNSUPPORTED_MEDIA_TYPE"),
    Case("form POST", _raw("POST", data={"query": "{ __typename }"}), 415,
         "UNSUPPORTED_MEDIA_TYPE"),
    Case("multipart POST", _raw("POST", data=b"--b\r\n\r\nx\r\n--b--",
                                headers={"Content-Type": "multipart/form-data; boundary=b"}),
         415, "UNSUPPORTED_MEDIA_TYPE"),
    Case("no Content-Type", _raw("POST", data=b'{"query":"{ __typename }"}'), 415,
         "UNSUPPORTED_MEDIA_TYPE"),
    Case("Accept naming neither JSON type", _json({"query": "{ __typename }"}, Accept="text/html"),
         406, "NOT_ACCEPTABLE"),
    Case("Accept refusing JSON", _json({"query": "{ __typename }"},
                                       Accept="application/json;q=0, text/plain"),
         406, "NOT_ACCEPTABLE"),
    Case("Accept JSON only in Latin-1", _json({"query": "{ __typename }"},
                                              Accept="application/json; charset=iso-8859-1"),
         406, "NOT_ACCEPTABLE"),
    # Client keys.
    Case("missing client key", _raw("POST", auth=False, data=b'{"query":"{ __typename }"}',
                                    headers={"Content-Type": "application/json"}),
         401, "UNAUTHENTICATED"),
    Case("wrong client key", _json({"query": "{ __typename }"},
                                   Authorization="Bearer not-a-key"), 401, "UNAUTHENTICATED"),
    Case("key with another scheme", _json({"query": "{ __typename }"},
                                          Authorization=f"Basic {KEYS[0]}"),
         401, "UNAUTHENTICATED"),
    Case("key prefix only", _json({"query": "{ __typename }"},
                                  Authorization=f"Bearer {KEYS[0][:-1]}"), 401, "UNAUTHENTICATED"),
    Case("GET query without key", _raw("GET", auth=False, params={"query": "{ __typename }"}),
         401, "UNAUTHENTICATED"),
    # Document limits.
    Case("depth 50", _query(_nested(50)), REQUEST_ERROR, "MAX_DEPTH_EXCEEDED"),
    Case("1,000 aliases", _query("{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"),
         REQUEST_ERROR, "MAX_ALIASES_EXCEEDED"),
    Case("1,000 aliases via fragments", _query(_fragment_aliases()), REQUEST_ERROR,
         "MAX_ALIASES_EXCEEDED"),
    Case("25 root fields", _query("{ " + "__typename " * 25 + "}"), REQUEST_ERROR,
         "MAX_ROOT_FIELDS_EXCEEDED"),
    Case("two payments in one request", _query(PAY_TWICE), REQUEST_ERROR,
         "TOO_MANY_PAYMENT_MUTATIONS"),
    Case("introspection in production", _query("{ __schema { types { name } } }"), REQUEST_ERROR,
         "GRAPHQL_VALIDATION_FAILED"),
    Case("card number as an inline literal of the wrong type",
         _query('mutation { payWithCard(input: {orderId: "x", paymentMethodId: "m", card: '
                '{number: 4111111111111111, cardholderName: "a", expiryMonth: 1, '
                'expiryYear: 2030, verificationValue: 987}}) { errors { code } } }'),
         REQUEST_ERROR, "GRAPHQL_VALIDATION_FAILED"),
    # Mistyped card fields (variables that do not coerce): a top-level error naming no value.
    Case("card number as a JSON number", _pay({**GOOD_CARD, "number": 4111111111111111}),
         REQUEST_ERROR, "VALIDATION"),
    Case("expiry month holding a card number",
         _pay({**GOOD_CARD, "expiryMonth": "4242424242424242"}), REQUEST_ERROR, "VALIDATION"),
    Case("expiry month as a huge integer", _pay({**GOOD_CARD, "expiryMonth": 4000000000000002}),
         REQUEST_ERROR, "VALIDATION"),
    Case("CVV as a JSON number", _pay({**GOOD_CARD, "verificationValue": 987}), REQUEST_ERROR,
         "VALIDATION"),
    Case("CVV as a list", _pay({**GOOD_CARD, "verificationValue": ["987"]}), REQUEST_ERROR,
         "VALIDATION"),
    Case("card number as an unknown key", _pay({**GOOD_CARD, "4000000000009995": "x"}),
         REQUEST_ERROR, "VALIDATION"),
    Case("card missing fields", _pay({"number": "4000000000000069"}), REQUEST_ERROR,
         "VALIDATION"),
    Case("card as a string", _pay("378282246310005"), REQUEST_ERROR,  # type: ignore[arg-type]
         "VALIDATION"),
    # Card checks: payload errors naming the field.
    Case("12-digit card number", _pay({**GOOD_CARD, "number": TWELVE_DIGITS}), 200,
         "INVALID_CARD", "payWithCard"),
    Case("20-digit card number", _pay({**GOOD_CARD, "number": TWENTY_DIGITS}), 200,
         "INVALID_CARD", "payWithCard"),
    Case("check digit wrong", _pay({**GOOD_CARD, "number": "4111111111111112"}), 200,
         "INVALID_CARD", "payWithCard"),
    Case("letters in the number", _pay({**GOOD_CARD, "number": "4111-1111-abcd-1111"}), 200,
         "INVALID_CARD", "payWithCard"),
    Case("5-digit CVV", _pay({**GOOD_CARD, "verificationValue": "12345"}), 200,
         "INVALID_CARD", "payWithCard"),
    Case("Amex with a 3-digit CVV", _pay({**GOOD_CARD, "number": "378282246310005"}), 200,
         "INVALID_CARD", "payWithCard"),
    Case("past expiry", _pay({**GOOD_CARD, "expiryYear": 2020}), 200, "CARD_EXPIRED",
         "payWithCard"),
    Case("expiry month 13", _pay({**GOOD_CARD, "expiryMonth": 13}), 200, "VALIDATION",
         "payWithCard"),
    # Order ids: forged, bare, foreign — all the same NOT_FOUND.
    Case("forged order id", _pay(GOOD_CARD, "forged_id"), 200, "NOT_FOUND", "payWithCard"),
    Case("bare order number", _pay(GOOD_CARD, "bare_number"), 200, "NOT_FOUND", "payWithCard"),
    Case("another store's order id", _pay(GOOD_CARD, "foreign_id"), 200, "NOT_FOUND",
         "payWithCard"),
    Case("order query, forged id", _op("Order", lambda w: {"id": w["forged_id"]}), 200,
         "NOT_FOUND"),
    Case("order query, bare number", _op("Order", lambda w: {"id": w["bare_number"]}), 200,
         "NOT_FOUND"),
    Case("payment methods, another store's id",
         _op("PaymentMethods", lambda w: {"orderId": w["foreign_id"]}), 200, "NOT_FOUND"),
    Case("unknown checkout", _op("Checkout", lambda _w: {"id": str(uuid.uuid4())}), 200,
         "NOT_FOUND"),
    Case("checkout id not a UUID", _op("CreateOrder", lambda _w: {"input": {
        "checkoutId": "../../v2/orders/1"}}), 200, "NOT_FOUND", "createOrder"),
    # Address fields: hostile text is data (stored and returned as JSON), control chars are not.
    Case("unicode address", _billing(firstName="Zoë", city="東京", address2="Straße 😀"), 200,
         None, "addBillingAddress"),
    Case("script in address", _billing(address1="<script>alert(1)</script>"), 200, None,
         "addBillingAddress"),
    Case("SQL in address", _billing(company="'; DROP TABLE orders;--"), 200, None,
         "addBillingAddress"),
    Case("control characters in address", _billing(city="Austin\x00\x1b[2J"), 200, "VALIDATION",
         "addBillingAddress"),
    Case("300-character city", _billing(city="A" * 300), 200, "VALIDATION", "addBillingAddress"),
    Case("card number as the email", _billing(email="4111111111111111"), 200, "VALIDATION",
         "addBillingAddress"),
    Case("unknown country", _billing(countryCode="XX"), 200, "VALIDATION", "addBillingAddress"),
]  # fmt: skip


@pytest.fixture
async def world(secured: SecuredGateway) -> dict[str, Any]:
    """A real unpaid order and checkout of this store, and ids that must not work."""
    order = await flow.unpaid_order(secured)
    checkout = await flow.checkout_ready_to_order(secured)
    real = order["id"]
    flipped = "A" if real[-1] != "A" else "B"
    other_store = OrderIdCodec(b"another-store-secret-0123456789", "otherstore")
    return {
        "order_id": real,
        "checkout_id": checkout["id"],
        "forged_id": real[:-1] + flipped,
        "bare_number": str(order["number"]),
        "foreign_id": other_store.encode(int(order["number"])),
    }


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


def expected_status(case: Case, accept: str) -> int:
    if case.status != REQUEST_ERROR:
        return case.status
    return 400 if accept == GRAPHQL_RESPONSE else 200


def expected_content_type(status: int, accept: str) -> str:
    if status in GUARD_STATUSES or status == 406:
        return JSON
    return accept


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_bad_input(
    secured: SecuredGateway, world: dict[str, Any], case: Case, accept: str
) -> None:
    answer = await case.send(replace(secured, accept=accept), world)
    status = expected_status(case, accept)
    assert answer.status == status, answer.text[:500]
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    for card in ALL_CARDS:
        assert card not in answer.text, f"{case.name}: the answer repeats a card number"
    # The CVV sent is 987: ids (UUIDs, opaque order ids) may hold those digits by chance,
    # so only a quoted or keyed occurrence counts as an echo.
    assert not re.search(r'(["\'=:]\s*)987\b', answer.text), f"{case.name}: the CVV came back"
    if case.status == 405 and case.code is None:
        return  # Starlette's router answers other methods itself
    content_type = expected_content_type(status, accept)
    assert answer.headers["Content-Type"] == f"{content_type}; charset=utf-8"
    body = answer.json
    if case.status == REQUEST_ERROR:
        assert "data" not in body, body  # nothing was executed
    if case.payload is not None:
        payload = body["data"][case.payload]
        codes = [error["code"] for error in payload["errors"]]
        if case.code is None:
            assert codes == [], payload["errors"]
        else:
            assert codes and codes[0] == case.code, payload["errors"]
            assert all(error["field"] for error in payload["errors"])
    else:
        assert answer.code() == case.code or case.code in {
            e.get("extensions", {}).get("code") for e in body["errors"]
        }, body
    if case.status == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    for key in KEYS:
        assert key not in answer.text
