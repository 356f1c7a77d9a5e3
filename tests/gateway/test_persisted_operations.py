"""Persisted operations (CONTRACT §1d): a manifest's operations run by id; the safelist
refuses everything else with Apollo Router's codes, before anything reaches the store."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio

from gateway.bootstrap import create_app
from gateway.graphql.manifest import manifest_json
from gateway.sandbox import SandboxServer
from tests import flow
from tests.graphql_ops import Operations
from tests.live_gateway import gateway_settings, serve, stop
from tests.node_clients import run_client

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ByIdGateway:
    """Sends each checkout-flow operation by its manifest id alone (what Apollo Client sends)."""

    url: str
    http: aiohttp.ClientSession
    ids: dict[str, str]
    app: Any

    async def post(self, body: Any) -> tuple[int, Any]:
        async with self.http.post(f"{self.url}/graphql", json=body) as resp:
            return resp.status, await resp.json(content_type=None)

    async def run(self, operation: str, variables: dict[str, Any] | None = None) -> Any:
        status, body = await self.post(
            {
                "operationName": operation,
                "variables": variables or {},
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": self.ids[operation]}},
            }
        )
        assert status == 200, body
        return body


def flow_file(directory: Path) -> str:
    """The checkout flow's document as the tests run it (until orderStatusChanged lands,
    without its subscription, which the schema cannot validate yet)."""
    path = directory / "checkout-flow.graphql"
    path.write_text(Operations.load().document)
    return str(path)


def write_manifest(directory: Path) -> tuple[Path, dict[str, Any]]:
    path = directory / "manifest.json"
    path.write_bytes(manifest_json([flow_file(directory)]))
    return path, json.loads(path.read_bytes())


@pytest_asyncio.fixture(loop_scope="session")
async def safelisted(
    sandbox: SandboxServer, tmp_path: Path
) -> AsyncIterator[tuple[ByIdGateway, dict[str, Any]]]:
    path, manifest = write_manifest(tmp_path)
    settings = gateway_settings(
        sandbox, GATEWAY_PERSISTED_OPERATIONS=str(path), GATEWAY_SAFELIST="1"
    )
    app = create_app(settings)
    server, task, url = await serve(app)
    ids = {op["name"]: op["id"] for op in manifest["operations"]}
    async with aiohttp.ClientSession() as http:
        yield ByIdGateway(url, http, ids, app), manifest
    await stop(server, task)


async def test_the_whole_flow_runs_by_id_without_parsing(
    safelisted: tuple[ByIdGateway, dict[str, Any]], sandbox: SandboxServer
) -> None:
    gateway, _ = safelisted
    documents = gateway.app.state.documents
    misses = documents.misses  # the manifest was parsed and validated at start
    order = await flow.unpaid_order(gateway)
    paid = flow.no_errors(await flow.pay_by_card(gateway, order["id"]))
    assert paid["order"]["status"] == "Awaiting Fulfillment"
    assert paid["__typename"] == "PaymentPayload"  # the body Apollo Client sends
    answer = await gateway.run("Order", {"id": order["id"]})
    assert answer["data"]["order"]["number"] == order["number"]
    assert documents.misses == misses


async def test_the_exact_body_runs_as_a_query(
    safelisted: tuple[ByIdGateway, dict[str, Any]],
) -> None:
    gateway, manifest = safelisted
    create_cart = next(op for op in manifest["operations"] if op["name"] == "CreateCart")
    variables = {"input": {"lineItems": [{"productId": 111, "quantity": 1}]}}
    status, body = await gateway.post({"query": create_cart["body"], "variables": variables})
    assert status == 200 and body["data"]["createCart"]["errors"] == []


async def test_unknown_id_and_unlisted_documents_are_refused_before_the_store(
    safelisted: tuple[ByIdGateway, dict[str, Any]], sandbox: SandboxServer
) -> None:
    gateway, _ = safelisted
    unknown = {"version": 1, "sha256Hash": "0" * 64}
    status, body = await gateway.post({"extensions": {"persistedQuery": unknown}, "variables": {}})
    assert (
        status == 200 and body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    )
    assert "data" not in body

    # The contract's own document (no __typename): not byte-equal to a manifest body.
    ops = Operations.load()
    variables = {"input": {"lineItems": [{"productId": 111, "quantity": 1}]}}
    status, body = await gateway.post(
        {"query": ops.document, "operationName": "CreateCart", "variables": variables}
    )
    assert body["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"

    # APQ registration is off: a new document with its hash is refused, and stays unknown.
    query = "{ __typename }"
    apq = {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}
    status, body = await gateway.post({"query": query, "extensions": {"persistedQuery": apq}})
    assert body["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
    status, body = await gateway.post({"extensions": {"persistedQuery": apq}})
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"

    # GET, too.
    async with gateway.http.get(
        f"{gateway.url}/graphql", params={"query": '{ order(id: "x") { id } }'}
    ) as resp:
        body = await resp.json(content_type=None)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
    assert sandbox.requests == []  # nothing reached the store


async def test_websocket_subscriptions_are_held_to_the_safelist_too(
    safelisted: tuple[ByIdGateway, dict[str, Any]], sandbox: SandboxServer
) -> None:
    gateway, _ = safelisted
    order = await flow.unpaid_order(gateway)
    sandbox.clear_requests()
    variables = {"orderId": order["id"]}
    unlisted = "subscription S($orderId: ID!) { orderStatusChanged(orderId: $orderId) { id } }"
    apq = {
        "persistedQuery": {
            "version": 1,
            "sha256Hash": hashlib.sha256(unlisted.encode()).hexdigest(),
        }
    }
    refused: list[tuple[dict[str, Any], str]] = [
        (
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
            "PERSISTED_QUERY_NOT_IN_LIST",
        ),
        ({"query": unlisted}, "QUERY_NOT_IN_SAFELIST"),
        ({"query": unlisted, "extensions": apq}, "QUERY_NOT_IN_SAFELIST"),
        ({"extensions": apq}, "PERSISTED_QUERY_NOT_IN_LIST"),  # the line above registered nothing
    ]
    ws_url = gateway.url.replace("http://", "ws://") + "/graphql"
    async with gateway.http.ws_connect(ws_url, protocols=("graphql-transport-ws",)) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json())["type"] == "connection_ack"
        for number, (payload, code) in enumerate(refused):
            message = {
                "id": str(number),
                "type": "subscribe",
                "payload": {**payload, "variables": variables},
            }
            await ws.send_json(message)
            answer = await asyncio.wait_for(ws.receive_json(), 10)
            assert answer["type"] == "error", answer
            assert answer["payload"][0]["extensions"]["code"] == code
        assert sandbox.requests == []  # nothing reached the store

        listed = {"persistedQuery": {"version": 1, "sha256Hash": gateway.ids["OrderStatus"]}}
        payload = {"variables": variables, "extensions": listed}
        await ws.send_json({"id": "listed", "type": "subscribe", "payload": payload})
        answer = await asyncio.wait_for(ws.receive_json(), 10)
        assert answer["type"] == "next", answer
        assert answer["payload"]["data"]["orderStatusChanged"]["number"] == order["number"]


async def test_without_the_safelist_ids_run_and_other_documents_too(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    path, manifest = write_manifest(tmp_path)
    app = create_app(gateway_settings(sandbox, GATEWAY_PERSISTED_OPERATIONS=str(path)))
    server, task, url = await serve(app)
    ids = {op["name"]: op["id"] for op in manifest["operations"]}
    try:
        async with aiohttp.ClientSession() as http:
            gateway = ByIdGateway(url, http, ids, app)
            checkout = await flow.checkout_ready_to_order(gateway)
            assert checkout["grandTotal"]["amount"] == "59.43"  # the README's figure
            unknown = {"version": 1, "sha256Hash": "0" * 64}
            _, body = await gateway.post({"extensions": {"persistedQuery": unknown}})
            assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
            _, body = await gateway.post({"query": "{ __typename }"})
            assert body == {"data": {"__typename": "Query"}}
    finally:
        await stop(server, task)


def bad_manifest(tmp_path: Path, body: str, name: str = "Broken") -> Path:
    operation = {
        "id": hashlib.sha256(body.encode()).hexdigest(),
        "name": name,
        "type": "query",
        "body": body,
    }
    path = tmp_path / "bad.json"
    manifest = {"format": "apollo-persisted-query-manifest", "version": 1}
    path.write_text(json.dumps({**manifest, "operations": [operation]}))
    return path


def test_a_manifest_that_does_not_validate_stops_the_start_with_one_line(tmp_path: Path) -> None:
    from tests.gateway.test_cli import clean_env

    path = bad_manifest(tmp_path, 'query Broken { checkout(id: "x") { noSuchField } }')
    run = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--port", "1"],
        env=clean_env(GATEWAY_PERSISTED_OPERATIONS=str(path), GATEWAY_SAFELIST="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert "operation Broken does not validate" in lines[0]
    assert "noSuchField" in lines[0]


def test_the_manifest_command_is_deterministic_and_matches_the_library(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    flow = flow_file(tmp_path)
    runs = [
        subprocess.run(
            [sys.executable, "-m", "gateway", "manifest", flow, *extra],
            capture_output=True,
            timeout=60,
            check=True,
        )
        for extra in ([], ["--output", str(out)])
    ]
    assert runs[0].stdout == out.read_bytes() == manifest_json([flow])
    names = [op["name"] for op in json.loads(runs[0].stdout)["operations"]]
    document = Operations.load().document  # every operation, the subscription included
    assert names == sorted(re.findall(r"^(?:query|mutation|subscription)\s+(\w+)", document, re.M))
    failed = subprocess.run(
        [sys.executable, "-m", "gateway", "manifest", str(tmp_path / "missing.graphql")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 1 and "missing.graphql" in failed.stderr


async def test_apollo_clients_persisted_queries_link_runs_on_the_manifests_ids(
    safelisted: tuple[ByIdGateway, dict[str, Any]], sandbox: SandboxServer
) -> None:
    gateway, manifest = safelisted
    ids = {op["name"]: op["id"] for op in manifest["operations"]}
    seen = await run_client(
        "apollo-persisted.mjs",
        {"url": f"{gateway.url}/graphql", "document": Operations.load().document, "ids": ids},
    )
    assert seen["errors"] == []
    cart = seen["createCart"]["createCart"]["cart"]
    assert seen["checkout"]["checkout"]["id"] == cart["id"]
    # Ids only, never a document; the ids Apollo Client computes itself are the manifest's.
    assert [body["hasQuery"] for body in seen["sent"]] == [False, False]
    assert [body["extensions"]["persistedQuery"]["sha256Hash"] for body in seen["sent"]] == [
        ids["CreateCart"],
        ids["Checkout"],
    ]
    assert seen["runtimeIdMatches"] == {"CreateCart": True, "Checkout": True}
    assert sandbox.requests  # they reached the store
