"""Money arithmetic for carts, checkouts and orders (Decimal, rounded to cents)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from . import catalog
from .state import Cart, Totals

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def tax_rate(cart: Cart) -> tuple[Decimal, str | None]:
    """The rate of the first shipping address' state, else the billing address' (US only)."""
    address = cart.consignments[0].address if cart.consignments else cart.billing_address
    if address is None or address.fields.get("country_code") != "US":
        return Decimal("0"), None
    code = address.fields.get("state_or_province_code") or ""
    rate = catalog.TAX_RATES.get(code)
    return rate if rate else (Decimal("0"), None)


def cart_totals(cart: Cart) -> Totals:
    rate, name = tax_rate(cart)
    subtotal = sum((item.extended_price for item in cart.line_items), Decimal("0"))
    shipping = sum((c.shipping_cost for c in cart.consignments), Decimal("0"))
    return Totals(
        subtotal_ex_tax=money(subtotal),
        subtotal_tax=money(subtotal * rate),
        shipping_ex_tax=money(shipping),
        shipping_tax=money(shipping * rate),
        tax_name=name,
    )


def as_number(value: Decimal) -> float | int:
    """JSON number for v3 bodies (v3 amounts are numbers, e.g. 25.5)."""
    return int(value) if value == value.to_integral_value() else float(value)


def as_v2_string(value: Decimal) -> str:
    """v2 orders give amounts as 4-decimal strings, e.g. "69.8400"."""
    return f"{value:.4f}"
