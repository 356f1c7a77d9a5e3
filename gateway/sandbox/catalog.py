"""Fixed seed data of the sandbox store: products, shipping, tax, customers, payment methods.

These are the facts CONTRACT.md §4 promises (products 111/118, two+ US shipping options,
customer 1 with a stored Visa and PayPal account, braintree.card / braintree.paypal).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

CURRENCY = "USD"
FIRST_ORDER_ID = 100


@dataclass(frozen=True)
class Product:
    id: int
    variant_id: int
    sku: str
    name: str
    price: Decimal
    url: str
    image_url: str


PRODUCTS: dict[int, Product] = {
    111: Product(
        id=111,
        variant_id=211,
        sku="MUG-111",
        name="Sandbox Coffee Mug",
        price=Decimal("24.95"),
        url="https://sandbox.example/products/coffee-mug/",
        image_url="https://sandbox.example/images/coffee-mug.png",
    ),
    118: Product(
        id=118,
        variant_id=218,
        sku="TOTE-118",
        name="Sandbox Canvas Tote",
        price=Decimal("34.50"),
        url="https://sandbox.example/products/canvas-tote/",
        image_url="https://sandbox.example/images/canvas-tote.png",
    ),
    # Two more, so a cart can hold three lines and gain a fourth.
    123: Product(
        id=123,
        variant_id=223,
        sku="NOTE-123",
        name="Sandbox Notebook",
        price=Decimal("8.75"),
        url="https://sandbox.example/products/notebook/",
        image_url="https://sandbox.example/images/notebook.png",
    ),
    130: Product(
        id=130,
        variant_id=230,
        sku="PIN-130",
        name="Sandbox Enamel Pin",
        price=Decimal("6.45"),
        url="https://sandbox.example/products/enamel-pin/",
        image_url="https://sandbox.example/images/enamel-pin.png",
    ),
}


@dataclass(frozen=True)
class ShippingOption:
    id: str
    type: str
    description: str
    cost: Decimal
    transit_time: str


def _option_id(name: str) -> str:
    # 32 hex chars like BigCommerce's option ids, stable across restarts.
    return hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()


US_SHIPPING_OPTIONS: tuple[ShippingOption, ...] = (
    ShippingOption(_option_id("flatrate"), "shipping_flatrate", "Flat Rate", Decimal("5.00"), ""),
    ShippingOption(
        _option_id("express"), "shipping_byweight", "Express", Decimal("15.00"), "1-2 days"
    ),
    ShippingOption(
        _option_id("pickup"), "shipping_pickupinstore", "Pickup In Store", Decimal("0.00"), ""
    ),
)
INTERNATIONAL_SHIPPING_OPTIONS: tuple[ShippingOption, ...] = (
    ShippingOption(
        _option_id("international"),
        "shipping_flatrate",
        "International Flat Rate",
        Decimal("25.00"),
        "7-14 days",
    ),
)


def shipping_options_for(country_code: str) -> tuple[ShippingOption, ...]:
    return US_SHIPPING_OPTIONS if country_code == "US" else INTERNATIONAL_SHIPPING_OPTIONS


# Sales tax by US state code, applied to items and shipping (tax-exclusive prices).
TAX_RATES: dict[str, tuple[Decimal, str]] = {
    "TX": (Decimal("0.0825"), "Texas Tax"),
    "CA": (Decimal("0.0725"), "California Tax"),
    "NY": (Decimal("0.08875"), "New York Tax"),
    "WA": (Decimal("0.065"), "Washington Tax"),
}

COUNTRIES: dict[str, str] = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "AU": "Australia",
    "MX": "Mexico",
}

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
US_STATE_CODES: dict[str, str] = {name.lower(): code for code, name in US_STATES.items()}


@dataclass(frozen=True)
class Customer:
    id: int
    email: str
    first_name: str
    last_name: str


CUSTOMERS: dict[int, Customer] = {
    1: Customer(1, "jane@example.com", "Jane", "Doe"),
    2: Customer(2, "john@example.com", "John", "Roe"),
}


def stable_token(label: str) -> str:
    """A 64-hex-char instrument token that stays the same across restarts."""
    return hashlib.sha256(f"sandbox-instrument:{label}".encode()).hexdigest()


CARD_METHOD_ID = "braintree.card"
PAYPAL_METHOD_ID = "braintree.paypal"

# Brand names as payment methods report them (paymentMethod_Full.supported_instruments).
CARD_BRANDS = ("VISA", "MASTERCARD", "AMEX", "DISCOVER")

# Test cards with a fixed outcome: number -> (payments error code, title).
DECLINING_CARDS: dict[str, tuple[int, str]] = {
    "4000000000000002": (30104, "Payment was declined. Please contact your card issuer."),
    "4000000000009995": (30106, "The card has insufficient funds."),
    "4000000000000069": (30103, "The card has expired."),
}
