"""The sandbox store's coupons (seed data, like catalog.py) and what each one takes off.

- ``SAVE10``: 10% off each line's extended price, rounded to the cent per line.
- ``FREESHIP``: every consignment's selected shipping option costs nothing.
- ``EXPIRED2020``: exists but expired, so it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum

# "Coupon codes have a 50-character limit." (checkouts.v3.yml, Add Coupon to Checkout)
MAX_CODE_LENGTH = 50


class CouponKind(Enum):
    # BigCommerce's coupon types: the carts file spells them by number, checkouts by name.
    PERCENTAGE = ("1", "percentage_discount")
    FREE_SHIPPING = ("4", "free_shipping")

    @property
    def number(self) -> str:
        return self.value[0]

    @property
    def type_name(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class Coupon:
    id: int
    code: str
    display_name: str
    kind: CouponKind
    percent: Decimal = Decimal("0")
    expires: datetime | None = None

    def expired(self, at: datetime) -> bool:
        return self.expires is not None and at >= self.expires


COUPONS: dict[str, Coupon] = {
    c.code: c
    for c in (
        Coupon(1, "SAVE10", "10% Off", CouponKind.PERCENTAGE, percent=Decimal("10")),
        Coupon(2, "FREESHIP", "Free Shipping", CouponKind.FREE_SHIPPING),
        Coupon(
            3,
            "EXPIRED2020",
            "20% Off (2020)",
            CouponKind.PERCENTAGE,
            percent=Decimal("20"),
            expires=datetime(2021, 1, 1, tzinfo=UTC),
        ),
    )
}


def find(code: str) -> Coupon | None:
    """Codes match without regard to case, as BigCommerce's do."""
    return COUPONS.get(code.strip().upper())


def applied(codes: list[str]) -> list[Coupon]:
    return [COUPONS[c] for c in codes if c in COUPONS]
