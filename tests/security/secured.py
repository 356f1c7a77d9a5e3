"""A gateway configured the way a public deployment is: client keys, production mode, CORS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from gateway.sandbox import SandboxServer
from gateway.settings import Settings
from tests.graphql_ops import Operations

KEYS = ("key-alpha-0123456789", "key-beta-9876543210")
ORIGIN = "https://shop.example"
SECRET = "security-tests-secret-0123456789"


@dataclass
class Answer:
    status: int
    headers: Any
    text: str

    @property
    def json(self) -> Any:
        import orjson

        return orjson.loads(self.text)

    def code(self) -> str | None:
        errors = self.json.get("errors") or []
        return errors[0].get("extensions", {}).get("code") if errors else None


def all_errors(body: Any) -> list[Any]:
    """Every error object of an answer: top-level and in mutation payloads."""
    found = list(body.get("errors") or [])
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict):
            found.extend(payload.get("errors") or [])
    return found


@dataclass
class SecuredGateway:
    url: str
    http: aiohttp.ClientSession
    ops: Operations
    key: str = KEYS[0]
    accept: str | None = None  # sent as Accept unless a request names its own

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key}"}

    async def raw(
        self,
        method: str = "POST",
        path: str = "/graphql",
        data: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Answer:
        if self.accept is not None and not any(h.lower() == "accept" for h in headers or {}):
            headers = {**(headers or {}), "Accept": self.accept}
        async with self.http.request(
            method, f"{self.url}{path}", data=data, headers=headers, params=params
        ) as resp:
            return Answer(resp.status, resp.headers, await resp.text(errors="replace"))

    async def post(self, body: Any, key: str | None = None) -> Answer:
        import orjson

        headers = {"Content-Type": "application/json", **self.auth(key)}
        return await self.raw(data=orjson.dumps(body), headers=headers)

    async def run(self, operation: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The flow driver's interface (tests/gateway/flow.py), with the client key."""
        answer = await self.post(
            {"query": self.ops.document, "operationName": operation, "variables": variables or {}}
        )
        assert answer.status == 200, answer.text
        return answer.json  # type: ignore[no-any-return]


def production_settings(sandbox: SandboxServer, **env: str) -> Settings:
    """Production mode (store hash and token set) pointed at the loopback sandbox store."""
    return Settings.from_env(
        {
            "BIGCOMMERCE_STORE_HASH": sandbox.store_hash,
            "BIGCOMMERCE_ACCESS_TOKEN": sandbox.token,
            "BIGCOMMERCE_API_URL": sandbox.api_url,
            "BIGCOMMERCE_PAYMENTS_URL": sandbox.payments_url,
            "GATEWAY_SECRET": SECRET,
            "GATEWAY_DEADLINE_S": "10",
            **env,
        }
    )
