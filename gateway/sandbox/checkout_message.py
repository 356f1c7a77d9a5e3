"""Checkouts API: Update Checkout, which sets the shopper's message for the order."""

from __future__ import annotations

import unicodedata
from typing import Any

from aiohttp import web

from .checkouts import _cart, _check_version, _respond
from .inputs import Invalid, as_object, parse_json

# "customer_message is required (maximum length is 2000)." (checkouts.v3.yml, updateCheckout)
MAX_MESSAGE_LENGTH = 2000
# Line breaks and tabs are text in a note; other control characters are not.
ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def _check_message(message: Any) -> str:
    if not isinstance(message, str):
        raise Invalid("customer_message", "must be a string")
    if len(message) > MAX_MESSAGE_LENGTH:
        raise Invalid("customer_message", "The maximum length is 2000 characters.")
    for char in message:
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cs"):
            raise Invalid("customer_message", "must not contain control characters")
    return message


async def update_checkout(request: web.Request) -> web.Response:
    cart = _cart(request)
    body = as_object(parse_json(await request.read()), "body")
    if "customer_message" not in body:
        raise Invalid("customer_message", "customer_message is required", missing=True)
    message = _check_message(body["customer_message"])
    _check_version(cart, body)
    cart.customer_message = message
    cart.touch()
    return _respond(request, cart)
