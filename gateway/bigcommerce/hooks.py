"""The domain's ``HookRegistry`` port over Webhooks V3 (``/v3/hooks``, webhooks.v3.yml).

Hooks are seen only by the API account that made them, so the list is this gateway's
account's. It is read whole (pages of 250) before deciding anything.
"""

from __future__ import annotations

from typing import Any

from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.client import BigCommerceClient
from gateway.bigcommerce.errors import MalformedAnswer, unavailable
from gateway.domain.webhook_registration import Hook

PAGE = 250
MAX_PAGES = 40  # 10 hooks per scope at most: far more than any account holds


class BigCommerceHooks:
    def __init__(self, client: BigCommerceClient) -> None:
        self._client = client
        self._url = f"{client._v3}/hooks"

    async def list_hooks(self) -> list[Hook]:
        hooks: list[Hook] = []
        for page in range(1, MAX_PAGES + 1):
            url = f"{self._url}?page={page}&limit={PAGE}"
            body = await self._client._json(CallClass.READ, "list_hooks", "GET", url)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise unavailable(CallClass.READ.effect(answered=False))
            hooks.extend(_read(CallClass.READ, item) for item in data)
            pages = ((body.get("meta") or {}).get("pagination") or {}).get("total_pages", 1)
            if not isinstance(pages, int) or page >= pages or not data:
                break
        return hooks

    async def create_hook(self, scope: str, destination: str, headers: dict[str, str]) -> Hook:
        body = {"scope": scope, "destination": destination, "is_active": True, "headers": headers}
        data = await self._client._data(CallClass.WRITE, "create_hook", "POST", self._url, body)
        return _read(CallClass.WRITE, data)

    async def update_hook(self, hook_id: int, destination: str, headers: dict[str, str]) -> Hook:
        body = {"destination": destination, "is_active": True, "headers": headers}
        url = f"{self._url}/{int(hook_id)}"
        data = await self._client._data(CallClass.WRITE, "update_hook", "PUT", url, body)
        return _read(CallClass.WRITE, data)


def _read(call: CallClass, data: Any) -> Hook:
    try:
        if not isinstance(data, dict):
            raise MalformedAnswer("hook")
        headers = data.get("headers") or {}
        if not isinstance(headers, dict):
            raise MalformedAnswer("hook headers")
        return Hook(
            id=int(data["id"]),
            scope=str(data["scope"]),
            destination=str(data["destination"]),
            is_active=bool(data.get("is_active")),
            headers={str(k): str(v) for k, v in headers.items()},
        )
    except (KeyError, TypeError, ValueError):
        raise unavailable(call.effect(answered=False)) from None
