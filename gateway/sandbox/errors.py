"""The three error bodies BigCommerce's files specify, raised as ``ApiError``.

- v3 management: ``{"status", "title", "type", "errors"?, "detail"?}``
- payments (host and /v3/payments/*): ``{"status", "title", "type", "code"?, "detail"?, "errors"?}``
- v2: a bare array ``[{"status", "message"}]``
- plus the get-checkout 404: ``{"errors": [{"status", "title", "type", "detail"}]}``
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
PAYMENTS_ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/payments/payments-api-overview"
CONFLICT_TITLE = (
    "The request cannot be processed due to a possible conflict. "
    "Please review the changes and try again."
)


class ApiError(Exception):
    """Raised by handlers; the app turns it into a JSON response with ``body``."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> web.Response:
        return web.Response(
            status=self.status,
            body=json.dumps(self.body).encode(),
            content_type="application/json",
            headers=self.headers,
        )


def v3_error(
    status: int,
    title: str,
    *,
    errors: dict[str, str] | None = None,
    detail: str | None = None,
) -> ApiError:
    body: dict[str, Any] = {"status": status, "title": title, "type": ERROR_TYPE}
    if errors is not None:
        body["errors"] = errors
    if detail is not None:
        body["detail"] = detail
    return ApiError(status, body)


def payments_error(
    status: int,
    title: str,
    *,
    code: int | None = None,
    detail: str | None = None,
    errors: dict[str, str] | None = None,
) -> ApiError:
    body: dict[str, Any] = {"status": status, "title": title, "type": PAYMENTS_ERROR_TYPE}
    if code is not None:
        body["code"] = code
    if detail is not None:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return ApiError(status, body)


def v2_error(status: int, message: str) -> ApiError:
    return ApiError(status, [{"status": status, "message": message}])


def conflict() -> ApiError:
    return ApiError(409, {"status": 409, "title": CONFLICT_TITLE, "type": ERROR_TYPE})


def checkout_not_found(checkout_id: str) -> ApiError:
    # getCheckout's 404 is specced with an "errors" array, unlike every other v3 error.
    return ApiError(
        404,
        {
            "errors": [
                {
                    "status": 404,
                    "title": "Not Found",
                    "type": ERROR_TYPE,
                    "detail": f"Checkout {checkout_id} was not found.",
                }
            ]
        },
    )


def error_for_path(path: str, status: int, title: str) -> ApiError:
    """The generic error in the format of the API family ``path`` belongs to."""
    if "/v2/" in path:
        return v2_error(status, title)
    if "/payments" in path:
        return payments_error(status, title)
    return v3_error(status, title)
