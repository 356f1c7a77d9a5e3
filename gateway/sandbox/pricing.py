"""Money arithmetic for carts, checkouts and orders (Decimal, rounded to cents).

Prices are tax-exclusive. Coupons come off first; tax is charged on what is left, at the
rate of the state each consignment ships to (lines in no consignment yet: the first
shipping address' state, else the billing address'), rounded per consignment: once on its
items, once on its shipping.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from . import catalog, promotions
from .state import Address, Cart, LineCharge, ShipmentCharge, Totals

CENT = Decimal("0.01")
ZERO = Decimal("0")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def address_rate(address: Address | None) -> tuple[Decimal, str | None]:
    if address is None or address.fields.get("country_code") != "US":
        return ZERO, None
    code = address.fields.get("state_or_province_code") or ""
    rate = catalog.TAX_RATES.get(code)
    return rate if rate else (ZERO, None)


def tax_rate(cart: Cart) -> tuple[Decimal, str | None]:
    """The rate of the first shipping address' state, else the billing address' (US only)."""
    address = cart.consignments[0].address if cart.consignments else cart.billing_address
    return address_rate(address)


def _line_discount(extended: Decimal, coupons: list[promotions.Coupon]) -> Decimal:
    off = sum((c.percent for c in coupons if c.kind is promotions.CouponKind.PERCENTAGE), ZERO)
    return min(extended, money(extended * off / 100))


def cart_totals(cart: Cart) -> Totals:
    coupons = promotions.applied(cart.coupon_codes)
    free_shipping = any(c.kind is promotions.CouponKind.FREE_SHIPPING for c in coupons)
    # Each line's rate: the one of the consignment holding it, else the cart's default.
    groups: list[tuple[list[str], Decimal, str | None]] = []
    assigned: set[str] = set()
    for con in cart.consignments:
        rate, name = address_rate(con.address)
        groups.append((list(con.line_item_ids), rate, name))
        assigned.update(con.line_item_ids)
    rest = [item.id for item in cart.line_items if item.id not in assigned]
    if rest:
        rate, name = tax_rate(cart)
        groups.append((rest, rate, name))
    items = {item.id: item for item in cart.line_items}
    lines: list[LineCharge] = []
    taxes: dict[str, Decimal] = {}
    subtotal_tax = ZERO
    for ids, rate, name in groups:
        taxable = ZERO
        for item_id in ids:
            item = items.get(item_id)
            if item is None:
                continue
            extended = money(item.extended_price)
            discount = _line_discount(extended, coupons)
            taxable += extended - discount
            tax = money((extended - discount) * rate)
            lines.append(LineCharge(item_id, extended, discount, tax, rate))
        group_tax = money(taxable * rate)
        subtotal_tax += group_tax
        if name and group_tax:
            taxes[name] = taxes.get(name, ZERO) + group_tax
    shipments: list[ShipmentCharge] = []
    for con in cart.consignments:
        rate, name = address_rate(con.address)
        base = money(con.shipping_cost)
        discount = base if free_shipping else ZERO
        tax = money((base - discount) * rate)
        shipments.append(ShipmentCharge(con.id, base, discount, tax))
        if name and tax:
            taxes[name] = taxes.get(name, ZERO) + tax
    order = {item.id: n for n, item in enumerate(cart.line_items)}
    lines.sort(key=lambda line: order[line.item_id])
    return Totals(
        subtotal_ex_tax=sum((line.extended for line in lines), ZERO),
        subtotal_tax=subtotal_tax,
        shipping_ex_tax=sum((s.cost_ex_tax for s in shipments), ZERO),
        shipping_tax=sum((s.tax for s in shipments), ZERO),
        tax_name=next(iter(taxes), None) or tax_rate(cart)[1],
        coupon_discount=sum((line.coupon_discount for line in lines), ZERO),
        taxes=tuple(taxes.items()),
        lines=tuple(lines),
        shipments=tuple(shipments),
    )


def coupon_savings(cart: Cart, totals: Totals) -> list[tuple[promotions.Coupon, Decimal]]:
    """What each applied coupon takes off (items for SAVE10, shipping for FREESHIP)."""
    out: list[tuple[promotions.Coupon, Decimal]] = []
    shipping_saved = sum((s.discount for s in totals.shipments), ZERO)
    for coupon in promotions.applied(cart.coupon_codes):
        if coupon.kind is promotions.CouponKind.FREE_SHIPPING:
            out.append((coupon, shipping_saved))
        else:
            saved = sum((_line_discount(line.extended, [coupon]) for line in totals.lines), ZERO)
            out.append((coupon, saved))
    return out


def as_number(value: Decimal) -> float | int:
    """JSON number for v3 bodies (v3 amounts are numbers, e.g. 25.5)."""
    return int(value) if value == value.to_integral_value() else float(value)


def as_v2_string(value: Decimal) -> str:
    """v2 orders give amounts as 4-decimal strings, e.g. "69.8400"."""
    return f"{value:.4f}"
