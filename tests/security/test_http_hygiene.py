"""Security headers, CORS allow-list, open endpoints, per-client rate limit, log redaction."""

from __future__ import annotations

import logging
from dataclasses import replace

import aiohttp
import pytest

from gateway.bootstrap import create_app
from gateway.http.negotiation import GRAPHQL_RESPONSE, JSON
from gateway.redaction import CardDataFilter, redact
from gateway.sandbox import SandboxServer
from gateway.settings import ConfigError, Settings
from tests.live_gateway import serve, stop
from tests.security.secured import KEYS, ORIGIN, SecuredGateway, production_settings


async def test_security_headers_on_json_answers(secured: SecuredGateway) -> None:
    for answer in (
        await secured.post({"query": "{ __typename }"}),
        await secured.raw("GET", "/healthz"),
        await secured.raw("POST", data=b"{}"),  # 401, no key
    ):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_health_and_readiness_are_open_without_a_key(secured: SecuredGateway) -> None:
    assert (await secured.raw("GET", "/healthz")).status == 200
    assert (await secured.raw("GET", "/readyz")).status == 200


async def test_any_configured_key_is_accepted(secured: SecuredGateway) -> None:
    for key in KEYS:
        answer = await secured.post({"query": "{ __typename }"}, key=key)
        assert answer.status == 200 and answer.json["data"] == {"__typename": "Query"}


async def test_cors_allows_only_the_configured_origin(secured: SecuredGateway) -> None:
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"}  # fmt: skip
    allowed = await secured.raw("OPTIONS", headers={"Origin": ORIGIN, **preflight})
    assert allowed.status == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    denied = await secured.raw("OPTIONS", headers={"Origin": "https://evil.example", **preflight})
    assert denied.status == 400
    assert "Access-Control-Allow-Origin" not in denied.headers


async def test_sandbox_graphiql_page_is_open_and_keeps_its_csp(
    sandbox: SandboxServer,
) -> None:
    settings = Settings.from_env({"GATEWAY_CLIENT_KEYS": KEYS[0]}).with_upstream(
        sandbox.api_url, sandbox.payments_url, sandbox.store_hash, sandbox.token
    )
    server, task, url = await serve(create_app(settings))
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/graphql", headers={"Accept": "text/html"}) as resp:
                assert resp.status == 200
                assert "default-src 'none'" not in resp.headers["Content-Security-Policy"]
                assert resp.headers["X-Frame-Options"] == "DENY"
                assert "Strict-Transport-Security" not in resp.headers  # sandbox: no TLS
            async with http.post(f"{url}/graphql", json={"query": "{ __typename }"}) as resp:
                assert resp.status == 401
    finally:
        await stop(server, task)


async def test_per_client_rate_limit(sandbox: SandboxServer) -> None:
    settings = production_settings(
        sandbox, GATEWAY_CLIENT_KEYS=",".join(KEYS), GATEWAY_CLIENT_RATE_LIMIT="3"
    )
    server, task, url = await serve(create_app(settings))
    try:
        async with aiohttp.ClientSession() as http:

            async def ask(key: str) -> aiohttp.ClientResponse:
                async with http.post(
                    f"{url}/graphql",
                    json={"query": "{ __typename }"},
                    headers={"Authorization": f"Bearer {key}"},
                ) as resp:
                    await resp.read()
                    return resp

            statuses = [(await ask(KEYS[0])).status for _ in range(3)]
            assert statuses == [200, 200, 200]
            async with http.post(
                f"{url}/graphql",
                json={"query": "{ __typename }"},
                headers={"Authorization": f"Bearer {KEYS[0]}"},
            ) as limited:
                assert limited.status == 429
                assert int(limited.headers["Retry-After"]) >= 1
                body = await limited.json()
                assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            assert (await ask(KEYS[1])).status == 200  # another client has its own window
    finally:
        await stop(server, task)


@pytest.mark.parametrize(
    "url", ["http://api.bigcommerce.com", "http://10.0.0.5:8080", "ftp://127.0.0.1"]
)
def test_upstream_must_use_tls_except_to_loopback(url: str) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env({"BIGCOMMERCE_API_URL": url})
    Settings.from_env({"BIGCOMMERCE_API_URL": "http://127.0.0.1:8100"})


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("card 4111111111111111 declined", "4111111111111111"),
        ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"),
        ("card 3782-822463-10005", "3782-822463-10005"),
        ('{"number": "5555555555554444", "verificationValue": "987"}', '"987"'),
        ("cvv=4321&x=1", "4321"),
        ("{'verification_value': '123'}", "'123'"),
    ],
)
def test_redact(text: str, leak: str) -> None:
    assert leak not in redact(text)


def test_redact_keeps_ordinary_numbers() -> None:
    text = "order 100 total 49.90 request 1234567890123"
    assert redact(text) == text


def test_card_filter_redacts_args_extra_and_exceptions(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.security.redaction")
    card_filter = CardDataFilter()
    logger.addFilter(card_filter)
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("paying with %s", "4242424242424242", extra={"cvv": "987"})
            try:
                raise ValueError("bad card 4000000000000002")
            except ValueError:
                logger.exception("failed")
    finally:
        logger.removeFilter(card_filter)
    text = caplog.text + " ".join(str(vars(r)) for r in caplog.records)
    for secret in ("4242424242424242", "4000000000000002", "'987'"):
        assert secret not in text


async def test_federation_fields_stay_available_with_introspection_off(
    secured: SecuredGateway,
) -> None:
    # Production mode: introspection is refused, but the router still needs the subgraph's
    # SDL and its entities.
    introspection = {"query": "{ __schema { queryType { name } } }"}
    refused = await replace(secured, accept=GRAPHQL_RESPONSE).post(introspection)
    assert refused.status == 400
    assert refused.code() == "GRAPHQL_VALIDATION_FAILED" and "data" not in refused.json
    legacy = await replace(secured, accept=JSON).post(introspection)  # 200 for older clients
    assert legacy.status == 200
    assert legacy.code() == "GRAPHQL_VALIDATION_FAILED" and "data" not in legacy.json
    service = await secured.post({"query": "{ _service { sdl } }"})
    assert service.status == 200
    assert '@key(fields: "id")' in service.json["data"]["_service"]["sdl"]
    entities = await secured.post({
        "query": "query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
        "variables": {"r": [{"__typename": "Order", "id": "ord_forged"}]},
    })  # fmt: skip
    assert entities.status == 200
    assert entities.json["data"]["_entities"] == [None]
    assert entities.json["errors"][0]["extensions"]["code"] == "NOT_FOUND"
