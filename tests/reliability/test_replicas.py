"""Two gateway processes sharing one Redis; and a SIGTERM during a payment.

Redis is a real ``redis-server`` (tests/redis_server.py). Without it these tests skip,
except under CI=true.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio
from redis.asyncio import Redis

from gateway.sandbox import Fault, SandboxServer
from tests import live_gateway as live
from tests.artifacts import artifact_stream
from tests.flow import (
    EMAILS,
    MINTED_TOKENS,
    SANDBOX_PASSWORD,
    US_ADDRESS,
    no_errors,
    pay_by_card,
    shopper_headers,
    unpaid_order,
)
from tests.graphql_ops import Operations
from tests.reliability.reliability_support import PAYMENTS, own_gateway, sent

SECRET = "replicas-share-this-secret-0123456789"


class Replica:
    def __init__(
        self, sandbox: SandboxServer, redis_url: str, deadline_s: str = "5", **extra: str
    ) -> None:
        self.port = live.free_port()
        env = {
            **os.environ,
            "BIGCOMMERCE_STORE_HASH": sandbox.store_hash,
            "BIGCOMMERCE_ACCESS_TOKEN": sandbox.token,
            "BIGCOMMERCE_API_URL": sandbox.api_url,
            "BIGCOMMERCE_PAYMENTS_URL": sandbox.payments_url,
            "GATEWAY_SECRET": SECRET,
            "GATEWAY_REDIS_URL": redis_url,
            "GATEWAY_DEADLINE_S": deadline_s,
            **extra,
        }
        # Its output goes to tests/artifacts, which the card-data audit reads.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--port", str(self.port)],
            env=env,
            stdout=artifact_stream(f"replica-{self.port}.log"),
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    async def ready(self, http: aiohttp.ClientSession) -> None:
        await live.wait_until_ready(http, self.url, lambda: self.process.poll() is None)

    def client(self, http: aiohttp.ClientSession, sandbox: SandboxServer) -> Any:
        return live.LiveGateway(self.url, http, sandbox, Operations.load(), None)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(10)


@pytest_asyncio.fixture
async def replicas(sandbox_server: SandboxServer, redis_url: str) -> AsyncIterator[list[Any]]:
    pair = [Replica(sandbox_server, redis_url), Replica(sandbox_server, redis_url)]
    try:
        async with aiohttp.ClientSession() as http:
            for replica in pair:
                await replica.ready(http)
            yield [r.client(http, sandbox_server) for r in pair]
    finally:
        for replica in pair:
            replica.stop()


async def test_one_key_sent_to_two_replicas_pays_once(sandbox, replicas, redis_url) -> None:
    first, second = replicas
    order = await unpaid_order(first)
    sandbox.clear_requests()
    sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(0.5))
    key = f"pay-{uuid.uuid4()}"
    a, b = await asyncio.gather(
        pay_by_card(first, order["id"], key=key), pay_by_card(second, order["id"], key=key)
    )
    assert no_errors(a) == no_errors(b)
    assert a["payment"]["status"] == "SUCCESS"
    assert sent(sandbox, "POST", PAYMENTS) == 1
    # Later, on either replica, the same answer without a call.
    again = await pay_by_card(second, order["id"], key=key)
    assert again == a
    assert sent(sandbox, "POST", PAYMENTS) == 1
    # Shared through Redis, and nothing card-related is kept there.
    client = Redis.from_url(redis_url)
    try:
        keys = await client.keys("*")
        assert keys
        stored = [await client.get(k) for k in keys]
        values = b"".join(value for value in stored if isinstance(value, bytes))
        assert b"4111111111111111" not in values
        assert b"verification" not in values and b"Jane Doe" not in values
    finally:
        await client.aclose()


async def test_two_replicas_share_the_client_rate_limit(sandbox, redis_url) -> None:
    key = "k" * 32
    limited = {"GATEWAY_CLIENT_KEYS": key, "GATEWAY_CLIENT_RATE_LIMIT": "4"}
    pair = [Replica(sandbox, redis_url, **limited), Replica(sandbox, redis_url, **limited)]
    try:
        async with aiohttp.ClientSession() as http:
            for replica in pair:
                await replica.ready(http)

            async def ask(replica: Replica, client_key: str = key) -> tuple[int, Any]:
                async with http.post(
                    f"{replica.url}/graphql",
                    json={"query": "{ __typename }"},
                    headers={"Authorization": f"Bearer {client_key}"},
                ) as resp:
                    return resp.status, (resp.headers.get("Retry-After"), await resp.json())

            first, second = pair
            answers = [await ask(r) for r in (first, second, first, second)]
            assert [status for status, _ in answers] == [200] * 4
            # The budget of 4 a minute is spent across both: each replica now refuses.
            for replica in pair:
                status, (retry_after, body) = await ask(replica)
                assert status == 429 and body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
                assert 1 <= int(retry_after) <= 15
    finally:
        for replica in pair:
            replica.stop()
    client = Redis.from_url(redis_url)
    try:
        assert not [k async for k in client.scan_iter("*") if key.encode() in k]
    finally:
        await client.aclose()


SIGN_IN = """
mutation($input: SignInInput!) {
  signIn(input: $input) { token errors { code retryAfterMs } }
}
"""


async def _sign_in(gateway: Any, email: str, password: str) -> dict[str, Any]:
    variables = {"input": {"email": email, "password": password}}
    status, answer = await gateway.post({"query": SIGN_IN, "variables": variables})
    assert status == 200
    payload: dict[str, Any] = answer["data"]["signIn"]
    if payload["token"]:
        MINTED_TOKENS.append(payload["token"])
    return payload


async def test_sign_in_limits_and_sign_outs_hold_across_replicas(
    sandbox, replicas, redis_url
) -> None:
    first, second = replicas
    sandbox.clear_requests()
    for gateway in (first, second, first, second, first):  # 5 failures, split between them
        failed = await _sign_in(gateway, EMAILS[2], "guess")
        assert [e["code"] for e in failed["errors"]] == ["INVALID_CREDENTIALS"]
    for gateway in (first, second):
        (error,) = (await _sign_in(gateway, EMAILS[2], SANDBOX_PASSWORD))["errors"]
        assert error["code"] == "RATE_LIMITED" and error["retryAfterMs"] > 0
    assert sent(sandbox, "POST", r".*/v3/customers/validate-credentials") == 5

    token = (await _sign_in(first, EMAILS[1], SANDBOX_PASSWORD))["token"]
    headers = shopper_headers(token)
    shopper = await second.run("Shopper", {}, headers)  # any replica verifies it
    assert shopper["data"]["shopper"]["customerId"] == 1
    no_errors((await second.run("SignOut", {}, headers))["data"]["signOut"])
    for gateway in (first, second):  # revoked on every replica
        status, answer = await gateway.post(
            {"query": gateway.ops.document, "operationName": "Shopper"}, headers
        )
        assert (status, answer["errors"][0]["extensions"]["code"]) == (401, "UNAUTHENTICATED")
    client = Redis.from_url(redis_url)
    try:
        keys = b" ".join(key for key in await client.keys("*") if isinstance(key, bytes))
        for secret in (token.encode(), EMAILS[2].encode(), b"127.0.0.1", b"guess"):
            assert secret not in keys
    finally:
        await client.aclose()


async def test_sigterm_during_a_payment_lets_it_finish(sandbox, redis_url) -> None:
    replica = Replica(sandbox, redis_url)
    try:
        async with aiohttp.ClientSession() as http:
            await replica.ready(http)
            gateway = replica.client(http, sandbox)
            order = await unpaid_order(gateway)
            sandbox.clear_requests()
            sandbox.faults.add(method="POST", path=PAYMENTS, fault=Fault.delay(1.0))
            paying = asyncio.create_task(pay_by_card(gateway, order["id"]))
            for _ in range(500):  # until the payment is upstream
                if sent(sandbox, "POST", PAYMENTS):
                    break
                await asyncio.sleep(0.01)
            replica.process.send_signal(signal.SIGTERM)
            paid = no_errors(await paying)
            assert paid["payment"]["status"] == "SUCCESS"
            # uvicorn re-raises the signal once shut down: killed by SIGTERM, after finishing.
            code = await asyncio.to_thread(replica.process.wait, 10)
            assert code in (0, -signal.SIGTERM)
        assert sandbox.state.orders[order["number"]].status_id == 11
    finally:
        replica.stop()


async def test_readyz_is_not_ready_when_redis_is_unreachable(sandbox) -> None:
    closed = f"redis://127.0.0.1:{live.free_port()}/0"
    async with own_gateway(sandbox, GATEWAY_REDIS_URL=closed) as gateway:
        async with gateway.http.get(f"{gateway.url}/readyz") as resp:
            assert resp.status == 503
        async with gateway.http.get(f"{gateway.url}/healthz") as resp:
            assert resp.status == 200


async def test_a_cart_adopted_on_one_replica_is_refused_to_the_guest_on_the_other_at_once(
    sandbox, replicas
) -> None:
    first, second = replicas
    created = await second.run(
        "CreateCart", {"input": {"lineItems": [{"productId": 111, "quantity": 1}]}}
    )
    cart = no_errors(created["data"]["createCart"])["cart"]  # the second remembers: a guest's
    billing = {"input": {"checkoutId": cart["id"], "address": US_ADDRESS}}
    no_errors((await second.run("AddBillingAddress", billing))["data"]["addBillingAddress"])
    variables = {"input": {"email": EMAILS[1], "password": SANDBOX_PASSWORD, "cartId": cart["id"]}}
    signed_in = no_errors((await first.run("SignIn", variables))["data"]["signIn"])
    MINTED_TOKENS.append(signed_in["token"])
    assert sandbox.state.carts[cart["id"]].customer_id == 1  # adopted
    sandbox.clear_requests()
    consignment = {
        "input": {
            "checkoutId": cart["id"],
            "address": {k: v for k, v in US_ADDRESS.items() if k != "phone"},
            "lineItems": [{"itemId": cart["lineItems"][0]["id"], "quantity": 1}],
        }
    }
    refused = (await second.run("AddConsignment", consignment))["data"]["addConsignment"]
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    assert sandbox.requests == []  # the entry the sign-in rewrote: nothing written, nothing read
    jane = shopper_headers(signed_in["token"])
    added = await second.run("AddConsignment", consignment, jane)
    assert no_errors(added["data"]["addConsignment"])["checkout"]["consignments"]
