"""The sandbox store's in-memory records. Plain mutable dataclasses, no I/O."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from . import catalog
from .hook_store import HookStore


def now() -> datetime:
    return datetime.now(UTC)


def hex_id() -> str:
    # BigCommerce address and consignment ids look like "6516f14419a81" (13 hex chars).
    return secrets.token_hex(7)[:13]


@dataclass
class LineItem:
    id: str
    product: catalog.Product
    quantity: int
    list_price: Decimal
    name: str

    @property
    def extended_price(self) -> Decimal:
        return self.list_price * self.quantity


@dataclass
class Address:
    """Address as the checkout stores it; ``fields`` keeps the request's strings."""

    id: str
    fields: dict[str, Any]


@dataclass
class Consignment:
    id: str
    address: Address
    line_item_ids: list[str]
    selected_option: catalog.ShippingOption | None = None

    @property
    def shipping_cost(self) -> Decimal:
        return self.selected_option.cost if self.selected_option else Decimal("0")


@dataclass
class Cart:
    """A cart and its checkout (same id, same version counter)."""

    id: str
    customer_id: int
    channel_id: int
    email: str
    locale: str
    line_items: list[LineItem]
    created: datetime
    updated: datetime
    version: int = 1
    billing_address: Address | None = None
    consignments: list[Consignment] = field(default_factory=list)
    order_id: int | None = None
    coupon_codes: list[str] = field(default_factory=list)
    customer_message: str = ""

    def touch(self) -> None:
        self.version += 1
        self.updated = now()


@dataclass(frozen=True)
class LineCharge:
    """One line's price: its coupon discount and the tax on what is left."""

    item_id: str
    extended: Decimal
    coupon_discount: Decimal
    tax: Decimal
    rate: Decimal


@dataclass(frozen=True)
class ShipmentCharge:
    """One consignment's shipping: the option's cost, the coupon's saving, the tax."""

    consignment_id: str
    base_cost: Decimal
    discount: Decimal
    tax: Decimal

    @property
    def cost_ex_tax(self) -> Decimal:
        return self.base_cost - self.discount


@dataclass(frozen=True)
class Totals:
    subtotal_ex_tax: Decimal
    subtotal_tax: Decimal
    shipping_ex_tax: Decimal
    shipping_tax: Decimal
    tax_name: str | None
    # Coupons: the items' discount (tax is charged on the discounted amount).
    coupon_discount: Decimal = Decimal("0")
    taxes: tuple[tuple[str, Decimal], ...] = ()
    lines: tuple[LineCharge, ...] = ()
    shipments: tuple[ShipmentCharge, ...] = ()

    @property
    def subtotal_inc_tax(self) -> Decimal:
        return self.subtotal_ex_tax + self.subtotal_tax

    @property
    def shipping_inc_tax(self) -> Decimal:
        return self.shipping_ex_tax + self.shipping_tax

    @property
    def tax_total(self) -> Decimal:
        return self.subtotal_tax + self.shipping_tax

    @property
    def grand_total(self) -> Decimal:
        return self.total_ex_tax + self.tax_total

    @property
    def total_ex_tax(self) -> Decimal:
        return self.subtotal_ex_tax - self.coupon_discount + self.shipping_ex_tax


@dataclass
class Order:
    id: int
    cart_id: str
    customer_id: int
    channel_id: int
    email: str
    totals: Totals
    items_total: int
    billing_address: dict[str, Any]
    created: datetime
    modified: datetime
    status_id: int = 0
    payment_status: str = ""
    payment_method: str = ""
    credit_card_type: str | None = None
    customer_message: str = ""
    products: list[OrderProduct] = field(default_factory=list)
    shipping_addresses: list[OrderShippingAddress] = field(default_factory=list)


@dataclass(frozen=True)
class OrderProduct:
    """A line as the order keeps it (v2 Order Products)."""

    id: int
    product: catalog.Product
    name: str
    quantity: int
    price: Decimal
    charge: LineCharge
    order_address_id: int
    coupon_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderShippingAddress:
    """A consignment as the order keeps it (v2 Order Shipping Addresses)."""

    id: int
    fields: dict[str, Any]
    items_total: int
    method: str
    charge: ShipmentCharge


@dataclass
class Transaction:
    id: int
    order_id: int
    event: str
    method: str
    amount: Decimal
    currency: str
    gateway: str
    payment_method_id: str
    created: datetime
    credit_card: dict[str, Any] | None = None


@dataclass
class PaymentAccessToken:
    token: str
    order_id: int
    expires_at: datetime
    used: bool = False


@dataclass
class StoredInstrument:
    """A vaulted instrument. Only masked card data is kept (brand, iin, last 4, expiry)."""

    token: str
    customer_id: int
    type: str  # "stored_card" | "stored_paypal_account"
    is_default: bool = False
    brand: str = ""
    iin: str = ""
    last_4: str = ""
    expiry_month: int = 0
    expiry_year: int = 0
    email: str = ""


@dataclass(frozen=True)
class OrderEvent:
    """An order was created or changed status; webhook callbacks are built from these."""

    kind: Literal["created", "status"]
    order_id: int
    previous_status_id: int | None = None
    new_status_id: int | None = None


OrderListener = Callable[[OrderEvent], None]


def seed_instruments() -> dict[str, StoredInstrument]:
    instruments = [
        StoredInstrument(
            token=catalog.stable_token("customer-1-visa"),
            customer_id=1,
            type="stored_card",
            is_default=True,
            brand="VISA",
            iin="411111",
            last_4="1111",
            expiry_month=12,
            expiry_year=2030,
        ),
        StoredInstrument(
            token=catalog.stable_token("customer-1-paypal"),
            customer_id=1,
            type="stored_paypal_account",
            is_default=True,
            email="jane@example.com",
        ),
    ]
    return {i.token: i for i in instruments}


class SandboxState:
    """Everything the store knows. Handlers mutate it; tests read it."""

    def __init__(self) -> None:
        self.customers = dict(catalog.CUSTOMERS)
        self.products = dict(catalog.PRODUCTS)
        self.carts: dict[str, Cart] = {}
        self.orders: dict[int, Order] = {}
        self.transactions: dict[int, list[Transaction]] = {}
        self.instruments: dict[str, StoredInstrument] = seed_instruments()
        self.access_tokens: dict[str, PaymentAccessToken] = {}
        self.hooks = HookStore()
        self.order_listeners: list[OrderListener] = []
        self._next_order_id = catalog.FIRST_ORDER_ID
        self._next_transaction_id = 1
        self._next_order_row_id = 1

    def new_cart_id(self) -> str:
        return str(uuid.uuid4())

    def next_order_id(self) -> int:
        order_id = self._next_order_id
        self._next_order_id += 1
        return order_id

    def next_transaction_id(self) -> int:
        tid = self._next_transaction_id
        self._next_transaction_id += 1
        return tid

    def next_order_row_id(self) -> int:
        """Ids of order products and order shipping addresses (one counter for both)."""
        row_id = self._next_order_row_id
        self._next_order_row_id += 1
        return row_id

    def instruments_of(self, customer_id: int) -> list[StoredInstrument]:
        if customer_id == 0:
            return []
        return [i for i in self.instruments.values() if i.customer_id == customer_id]

    def order_created(self, order: Order) -> None:
        self._notify(OrderEvent("created", order.id))

    def set_order_status(self, order: Order, status_id: int) -> None:
        """The one way an order's status changes, so that every change reaches the hooks."""
        previous = order.status_id
        order.status_id = status_id
        order.modified = now()
        if previous != status_id:
            self._notify(OrderEvent("status", order.id, previous, status_id))

    def _notify(self, event: OrderEvent) -> None:
        for listener in list(self.order_listeners):
            listener(event)
