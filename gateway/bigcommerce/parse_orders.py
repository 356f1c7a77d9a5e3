"""v2 order bodies -> the gateway's models: the order, its product lines, its addresses.

v2 spells amounts as 4-decimal strings, addresses as ``street_1``/``zip``/``country_iso2``,
and dates in RFC 2822 (``Tue, 01 Dec 2026 10:00:00 +0000``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

from gateway.bigcommerce.errors import MalformedAnswer
from gateway.bigcommerce.parse import money
from gateway.domain.models import Address, Order, OrderDetails, OrderLine


def currency_of(data: dict[str, Any]) -> str:
    return str(data.get("currency_code") or data.get("default_currency_code") or "USD")


def order(data: Any, sign_order: Callable[[int], str]) -> Order:
    """A v2 order body, with what a confirmation page shows of it."""
    if not isinstance(data, dict):
        raise MalformedAnswer("order")
    try:
        number = int(data["id"])
    except (KeyError, TypeError, ValueError):
        raise MalformedAnswer("order id") from None
    currency = currency_of(data)
    return Order(
        id=sign_order(number),
        number=number,
        status=str(data.get("status") or ""),
        status_id=int(data.get("status_id") or 0),
        payment_status=(data.get("payment_status") or None),
        total=money(data.get("total_inc_tax"), currency),
        customer_id=int(data.get("customer_id") or 0),
        cart_id=data.get("cart_id") or None,
        details=details(data, currency),
    )


def details(data: dict[str, Any], currency: str) -> OrderDetails:
    discount = _sum(data.get("discount_amount"), data.get("coupon_discount"))
    return OrderDetails(
        billing_address=address(data.get("billing_address")),
        subtotal=money(data.get("subtotal_ex_tax"), currency),
        shipping_cost_total=money(data.get("shipping_cost_ex_tax"), currency),
        tax_total=money(data.get("total_tax"), currency),
        discount_total=money(discount, currency),
        customer_message=_text(data.get("customer_message")),
        created_at=created_at(data.get("date_created")),
    )


def _sum(*values: Any) -> Decimal:
    try:
        return sum((Decimal(str(v)) for v in values if v not in (None, "")), Decimal(0))
    except InvalidOperation:
        raise MalformedAnswer("amount") from None


def created_at(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None  # a date we cannot read is shown as unknown, not as a failed order
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def address(data: Any) -> Address | None:
    if not isinstance(data, dict) or not data:
        return None
    return Address(
        id=_text(data.get("id")),
        first_name=_text(data.get("first_name")),
        last_name=_text(data.get("last_name")),
        email=_text(data.get("email")),
        company=_text(data.get("company")),
        address1=_text(data.get("street_1")),
        address2=_text(data.get("street_2")),
        city=_text(data.get("city")),
        state_or_province=_text(data.get("state")),
        country_code=_text(data.get("country_iso2")),
        postal_code=_text(data.get("zip")),
        phone=_text(data.get("phone")),
    )


def order_line(data: Any, currency: str) -> OrderLine:
    if not isinstance(data, dict):
        raise MalformedAnswer("order product")
    return OrderLine(
        name=str(data.get("name") or ""),
        sku=str(data.get("sku") or ""),
        quantity=int(data.get("quantity") or 0),
        base_price=money(data.get("base_price"), currency),
        total_price=money(data.get("total_ex_tax", data.get("base_total")), currency),
    )
