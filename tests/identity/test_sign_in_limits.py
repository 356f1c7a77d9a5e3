"""Failed sign-ins: the same answer for an unknown email and a wrong password, and the 6th
failure for one email within the window refused before BigCommerce is asked.

Each test has a gateway of its own (fresh failure counters), so no other test's sign-ins
count here, and these failures lock no one out elsewhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio

from gateway.bootstrap import create_app
from gateway.sandbox import SandboxServer
from tests import live_gateway as live
from tests.flow import EMAILS, MINTED_TOKENS, SANDBOX_PASSWORD
from tests.graphql_ops import Operations

VALIDATE = "/v3/customers/validate-credentials"


@pytest_asyncio.fixture
async def own(sandbox: SandboxServer) -> AsyncIterator[live.LiveGateway]:
    # No padding of the credential check here: tests do not time things.
    settings = live.gateway_settings(sandbox, GATEWAY_SIGNIN_MIN_DURATION_S="0")
    server, task, url = await live.serve(create_app(settings))
    try:
        async with aiohttp.ClientSession() as http:
            yield live.LiveGateway(url, http, sandbox, Operations.load(), None)
    finally:
        await live.stop(server, task)


SIGN_IN = """
mutation($input: SignInInput!) {
  signIn(input: $input) {
    shopper { customerId }
    token
    errors { code field message retryAfterMs }
  }
}
"""


async def sign_in(gateway: Any, email: str, password: str) -> dict[str, Any]:
    variables = {"input": {"email": email, "password": password}}
    status, answer = await gateway.post({"query": SIGN_IN, "variables": variables})
    assert status == 200
    payload = answer["data"]["signIn"]
    if payload["token"]:
        MINTED_TOKENS.append(payload["token"])
    return payload  # type: ignore[no-any-return]


def credential_checks(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.requests if r.path.endswith(VALIDATE))


async def test_unknown_email_and_wrong_password_answer_alike(own, sandbox) -> None:
    unknown = await sign_in(own, "nobody@example.com", SANDBOX_PASSWORD)
    wrong = await sign_in(own, EMAILS[1], "not-the-password")
    assert unknown == wrong
    assert unknown["shopper"] is None and unknown["token"] is None
    (error,) = unknown["errors"]
    assert error["code"] == "INVALID_CREDENTIALS" and error["field"] is None
    assert credential_checks(sandbox) == 2  # both asked BigCommerce, the same one call
    # The store's channel is named in the check (BIGCOMMERCE_CHANNEL_ID, default 1).
    bodies = [r.json() for r in sandbox.requests if r.path.endswith(VALIDATE)]
    assert {b["channel_id"] for b in bodies} == {1}
    assert all(b["password"] != "not-the-password" for b in bodies)  # the record masks it


async def test_the_sixth_failure_for_an_email_is_rate_limited_without_asking(own, sandbox) -> None:
    for _ in range(5):
        failed = await sign_in(own, EMAILS[2], "guess")
        assert [e["code"] for e in failed["errors"]] == ["INVALID_CREDENTIALS"]
        assert failed["errors"][0]["retryAfterMs"] is None
    assert credential_checks(sandbox) == 5
    for password in ("guess", SANDBOX_PASSWORD):  # even the right password now waits
        limited = await sign_in(own, EMAILS[2], password)
        (error,) = limited["errors"]
        assert error["code"] == "RATE_LIMITED" and limited["token"] is None
        assert 0 < error["retryAfterMs"] <= 900_000  # within the window (900 s by default)
    assert credential_checks(sandbox) == 5  # BigCommerce was not asked again
    # Another email from the same address is not held up by john's failures.
    assert (await sign_in(own, EMAILS[1], SANDBOX_PASSWORD))["token"]


async def test_malformed_sign_in_input_is_a_validation_error(own, sandbox) -> None:
    answer = await sign_in(own, "", SANDBOX_PASSWORD)
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [
        ("VALIDATION", ["input", "email"])
    ]
    assert credential_checks(sandbox) == 0
