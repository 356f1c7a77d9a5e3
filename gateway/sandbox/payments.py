"""Payments: accepted methods, payment access tokens (PAT) and the payments host's charge.

Card numbers and CVVs are only ever held in local variables of ``process_payment``; nothing
here logs them, and a vaulted card keeps only brand, IIN, last 4 and expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from . import catalog, render
from .errors import ApiError, payments_error
from .inputs import Invalid, as_object, opt_bool, opt_int, opt_str, parse_json, req_int
from .keys import STATE, envelope, json_response
from .state import Order, PaymentAccessToken, SandboxState, StoredInstrument, Transaction, now

PAT_LIFETIME = timedelta(hours=1)
PAYMENTS_ACCEPT = "application/vnd.bc.v1+json"
_PAT_HEADER = re.compile(r"PAT (\S+)")
_SIGNING_KEY = web.AppKey("pat_signing_key", bytes)

STATUS_AWAITING_FULFILLMENT = 11


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_pat(key: bytes, order_id: int, expires_at: datetime) -> str:
    """A JWT-shaped token (HS256) naming the order, as BigCommerce's PATs are JWTs."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"oid": order_id, "exp": int(expires_at.timestamp()), "jti": secrets.token_hex(8)}
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def install(app: web.Application) -> None:
    app[_SIGNING_KEY] = secrets.token_bytes(32)


# --- management host: /v3/payments/* -------------------------------------------------


def _order_or_404(state: SandboxState, order_id: int) -> Order:
    order = state.orders.get(order_id)
    if order is None:
        raise payments_error(404, "Order could not be found.", code=30003)
    return order


def _methods(state: SandboxState, customer_id: int) -> list[dict[str, Any]]:
    stored = state.instruments_of(customer_id)
    cards = [render.stored_instrument(i) for i in stored if i.type == "stored_card"]
    paypal = [render.stored_instrument(i) for i in stored if i.type == "stored_paypal_account"]
    supported = [
        {"instrument_type": brand, "verification_value_required": True}
        for brand in (*catalog.CARD_BRANDS, "STORED_CARD")
    ]
    return [
        {
            "id": catalog.CARD_METHOD_ID,
            "name": "Braintree (Credit Card)",
            "test_mode": True,
            "type": "card",
            "supported_instruments": supported,
            "stored_instruments": cards,
        },
        {
            "id": catalog.PAYPAL_METHOD_ID,
            "name": "Braintree (PayPal)",
            "test_mode": True,
            "type": "paypal",
            "supported_instruments": [],
            "stored_instruments": paypal,
        },
    ]


async def payment_methods(request: web.Request) -> web.Response:
    state = request.app[STATE]
    raw_order = request.query.get("order_id")
    checkout_id = request.query.get("checkout_id")
    if raw_order is not None:
        if not raw_order.isdigit():
            raise payments_error(400, "order_id must be an integer.", code=10001)
        customer_id = _order_or_404(state, int(raw_order)).customer_id
    elif checkout_id is not None:
        cart = state.carts.get(checkout_id)
        if cart is None:
            raise payments_error(404, "Checkout could not be found.", code=30003)
        customer_id = cart.customer_id
    else:
        raise payments_error(400, "Either order_id or checkout_id is required.", code=10001)
    return envelope(_methods(state, customer_id))


async def create_access_token(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = as_object(parse_json(await request.read()), "body")
    if body.get("order") is None:
        raise Invalid("order", "order is required", missing=True)
    order_obj = as_object(body["order"], "order")
    order_id = req_int(order_obj, "id", "order.id")
    opt_bool(order_obj, "is_recurring", "order.is_recurring")
    if order_id < 1:
        raise Invalid("order.id", "must be at least 1")
    order = _order_or_404(state, order_id)
    if order.status_id != 0:
        raise payments_error(422, "Order is invalid.", code=30101, detail=_not_incomplete(order))
    expires_at = now() + PAT_LIFETIME
    token = mint_pat(request.app[_SIGNING_KEY], order.id, expires_at)
    state.access_tokens[token] = PaymentAccessToken(token, order.id, expires_at)
    return envelope({"id": token}, status=201)


def _not_incomplete(order: Order) -> str:
    return f"Order {order.id} is not in the Incomplete (0) status."


# --- payments host: POST /stores/{hash}/payments ----------------------------------------


def _unauthorized(detail: str) -> ApiError:
    return payments_error(401, "Unauthorized", detail=detail)


def _authenticate(request: web.Request, state: SandboxState) -> PaymentAccessToken:
    if "X-Auth-Token" in request.headers:
        raise _unauthorized(
            "The payments API takes `Authorization: PAT <token>`, not X-Auth-Token."
        )
    match = _PAT_HEADER.fullmatch(request.headers.get("Authorization", ""))
    if match is None:
        raise _unauthorized("Send `Authorization: PAT <payment access token>`.")
    pat = state.access_tokens.get(match.group(1))
    if pat is None:
        raise _unauthorized("The payment access token is not valid.")
    if pat.used:
        raise _unauthorized("The payment access token has already been used.")
    if pat.expires_at <= now():
        raise _unauthorized("The payment access token has expired.")
    return pat


def _check_accept(request: web.Request) -> None:
    accept = request.headers.get("Accept", "")
    if PAYMENTS_ACCEPT not in accept:
        raise payments_error(
            406,
            "Not Acceptable",
            code=10001,
            detail=f"The Accept header must be {PAYMENTS_ACCEPT}.",
        )


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_brand(number: str) -> str | None:
    if number.startswith("4") and len(number) in (13, 16, 19):
        return "VISA"
    if number[:2] in ("34", "37") and len(number) == 15:
        return "AMEX"
    if len(number) == 16 and (51 <= int(number[:2]) <= 55 or 2221 <= int(number[:4]) <= 2720):
        return "MASTERCARD"
    discover = number.startswith(("6011", "65")) or 644 <= int(number[:3]) <= 649
    if 16 <= len(number) <= 19 and discover:
        return "DISCOVER"
    return None


# Brand as payment methods name it -> card_type as order transactions name it.
_CARD_TYPES = {
    "VISA": "visa",
    "MASTERCARD": "master",
    "AMEX": "american_express",
    "DISCOVER": "discover",
}


def _declined(code: int, title: str) -> ApiError:
    return payments_error(422, title, code=code)


def _invalid_card() -> ApiError:
    return _declined(30102, "The card details could not be verified.")


def _expired(year: int, month: int) -> bool:
    today = datetime.now(UTC)
    return (year, month) < (today.year, today.month)


def _charge_card(instrument: dict[str, Any]) -> dict[str, Any]:
    """Checks a raw card; returns the masked card facts, or raises the decline."""
    prefix = "payment.instrument"
    number = opt_str(instrument, "number", f"{prefix}.number")
    name = opt_str(instrument, "cardholder_name", f"{prefix}.cardholder_name")
    month = opt_int(instrument, "expiry_month", f"{prefix}.expiry_month")
    year = opt_int(instrument, "expiry_year", f"{prefix}.expiry_year")
    cvv = opt_str(instrument, "verification_value", f"{prefix}.verification_value")
    missing = {
        f"{prefix}.{key}": f"{key} is required"
        for key, value in (
            ("number", number),
            ("cardholder_name", name),
            ("expiry_month", month),
            ("expiry_year", year),
            ("verification_value", cvv),
        )
        if value in (None, "")
    }
    if missing:
        raise payments_error(422, "Missing or invalid payment data.", code=10001, errors=missing)
    assert number is not None and month is not None and year is not None and cvv is not None
    if not 1 <= month <= 12 or not 1000 <= year <= 9999:
        raise payments_error(
            422,
            "Missing or invalid payment data.",
            code=10001,
            errors={f"{prefix}.expiry_month": "expiry_month must be 1-12 and expiry_year 4 digits"},
        )
    digits = number.replace(" ", "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19 or not luhn_ok(digits):
        raise _invalid_card()
    brand = card_brand(digits)
    if brand is None or not cvv.isdigit() or len(cvv) != (4 if brand == "AMEX" else 3):
        raise _invalid_card()
    if _expired(year, month):
        raise _declined(30103, "The card has expired.")
    outcome = catalog.DECLINING_CARDS.get(digits)
    if outcome is not None:
        raise _declined(*outcome)
    return {
        "brand": brand,
        "card_type": _CARD_TYPES[brand],
        "iin": digits[:6],
        "last_4": digits[-4:],
        "expiry_month": month,
        "expiry_year": year,
    }


def _stored(
    state: SandboxState, order: Order, instrument: dict[str, Any], kind: str
) -> StoredInstrument:
    token = opt_str(instrument, "token", "payment.instrument.token")
    if not token or len(token) != 64:
        raise payments_error(
            422,
            "Missing or invalid payment data.",
            code=10001,
            errors={"payment.instrument.token": "token must be 64 characters"},
        )
    stored = state.instruments.get(token)
    if (
        stored is None
        or stored.type != kind
        or stored.customer_id != order.customer_id
        or order.customer_id == 0
    ):
        raise payments_error(422, "Stored instrument could not be found.", code=30051)
    return stored


async def process_payment(request: web.Request) -> web.Response:
    state = request.app[STATE]
    pat = _authenticate(request, state)
    _check_accept(request)
    pat.used = True  # single use: whatever the outcome, this token is spent
    body = parse_json(await request.read())
    payment = as_object(as_object(body, "body").get("payment"), "payment")
    instrument = as_object(payment.get("instrument"), "payment.instrument")
    method_id = opt_str(payment, "payment_method_id", "payment.payment_method_id")
    if not method_id:
        raise Invalid("payment.payment_method_id", "payment_method_id is required", missing=True)
    save = opt_bool(payment, "save_instrument", "payment.save_instrument") or False
    kind = opt_str(instrument, "type", "payment.instrument.type")
    if not kind:
        raise Invalid("payment.instrument.type", "type is required", missing=True)

    order = state.orders.get(pat.order_id)
    if order is None:
        raise payments_error(422, "Order could not be found.", code=30003)
    if order.status_id != 0:
        raise payments_error(422, "Order is invalid.", code=30101, detail=_not_incomplete(order))
    accepted = {
        catalog.CARD_METHOD_ID: ("card", "stored_card"),
        catalog.PAYPAL_METHOD_ID: ("stored_paypal_account",),
    }
    if method_id not in accepted:
        raise payments_error(422, "Payment method is not configured.", code=30000)
    if kind not in accepted[method_id]:
        raise payments_error(
            422,
            "The instrument type is not accepted by this payment method.",
            code=10001,
            errors={"payment.instrument.type": f"{method_id} does not take {kind}"},
        )

    card: dict[str, Any] | None = None
    if kind == "card":
        card = _charge_card(instrument)
        if save and order.customer_id != 0:
            _vault(state, order.customer_id, card)
    else:
        stored = _stored(state, order, instrument, kind)
        if kind == "stored_card":
            cvv = opt_str(instrument, "verification_value", "payment.instrument.verification_value")
            if not cvv or not cvv.isdigit() or not 3 <= len(cvv) <= 4:
                raise payments_error(
                    422,
                    "Missing or invalid payment data.",
                    code=10001,
                    errors={"payment.instrument.verification_value": "a 3-4 digit CVV is required"},
                )
            card = {
                "brand": stored.brand,
                "card_type": _CARD_TYPES.get(stored.brand, "visa"),
                "iin": stored.iin,
                "last_4": stored.last_4,
                "expiry_month": stored.expiry_month,
                "expiry_year": stored.expiry_year,
            }
    _settle(state, order, method_id, card)
    return json_response(
        {"data": {"id": str(uuid.uuid4()), "transaction_type": "purchase", "status": "success"}},
        status=201,
    )


def _vault(state: SandboxState, customer_id: int, card: dict[str, Any]) -> None:
    token = secrets.token_hex(32)
    state.instruments[token] = StoredInstrument(
        token=token,
        customer_id=customer_id,
        type="stored_card",
        brand=card["brand"],
        iin=card["iin"],
        last_4=card["last_4"],
        expiry_month=card["expiry_month"],
        expiry_year=card["expiry_year"],
    )


def _settle(state: SandboxState, order: Order, method_id: str, card: dict[str, Any] | None) -> None:
    """A successful charge: the order leaves Incomplete, a transaction is recorded."""
    ts = now()
    order.payment_status = "captured"
    order.payment_method = "Credit Card" if card else "PayPal"
    order.credit_card_type = card["card_type"] if card else None
    transaction = Transaction(
        id=state.next_transaction_id(),
        order_id=order.id,
        event="purchase",
        method="credit_card" if card else "electronic_wallet",
        amount=order.totals.grand_total,
        currency=catalog.CURRENCY,
        gateway="braintree",
        payment_method_id=method_id,
        created=ts,
        credit_card=(
            {
                "card_type": card["card_type"],
                "card_iin": card["iin"],
                "card_last4": card["last_4"],
                "card_expiry_month": card["expiry_month"],
                "card_expiry_year": card["expiry_year"],
            }
            if card
            else None
        ),
    )
    state.transactions.setdefault(order.id, []).append(transaction)
    # BigCommerce deletes the cart once its order is paid.
    state.carts.pop(order.cart_id, None)
    # Last, so a callback's reader finds the order paid (store/order/statusUpdated).
    state.set_order_status(order, STATUS_AWAITING_FULFILLMENT)
