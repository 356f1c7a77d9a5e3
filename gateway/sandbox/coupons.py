"""Checkouts API: Add Coupon to Checkout, Delete Checkout Coupon.

checkouts.v3.yml documents no error for a code the store refuses. The sandbox answers 400
in the v3 error format with the reason in ``detail``, as BigCommerce's checkout answers
ineligible codes (``Coupon code '…' is not valid`` / ``… has expired``).
"""

from __future__ import annotations

from aiohttp import web

from . import promotions
from .checkouts import _cart, _check_version, _respond
from .errors import ApiError, v3_error
from .inputs import Invalid, as_object, parse_json, req_str
from .state import now


def coupon_refused(code: str, reason: str) -> ApiError:
    return v3_error(400, "Incorrect or mismatch", detail=f"Coupon code '{code}' {reason}")


async def add_coupon(request: web.Request) -> web.Response:
    cart = _cart(request)
    body = as_object(parse_json(await request.read()), "body")
    code = req_str(body, "coupon_code")
    if len(code) > promotions.MAX_CODE_LENGTH:
        raise Invalid("coupon_code", "Coupon codes have a 50-character limit.")
    coupon = promotions.find(code)
    shown = code.strip()
    if coupon is None:
        raise coupon_refused(shown, "is not valid.")
    if coupon.expired(now()):
        raise coupon_refused(shown, "has expired.")
    _check_version(cart, body)
    if coupon.code not in cart.coupon_codes:  # applying it again changes nothing
        cart.coupon_codes.append(coupon.code)
        cart.touch()
    return _respond(request, cart)


async def delete_coupon(request: web.Request) -> web.Response:
    cart = _cart(request)
    code = request.match_info["coupon_code"]
    body = parse_json(await request.read(), allow_empty=True)
    coupon = promotions.find(code)
    if coupon is None or coupon.code not in cart.coupon_codes:
        raise v3_error(404, "Coupon not found", detail=f"Coupon code '{code}' is not applied.")
    if body is not None:
        _check_version(cart, as_object(body, "body"))
    cart.coupon_codes.remove(coupon.code)
    cart.touch()
    return _respond(request, cart)
