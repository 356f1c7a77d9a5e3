"""The gateway's own view of carts, checkouts, orders and payments.

The BigCommerce adapter builds these from REST bodies; the schema shows them.
They hold no card number or CVV, ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from gateway.domain.slot_init import slot_init
from gateway.errors import Effect, ErrorCode, GatewayError


@slot_init
@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency_code: str


@slot_init
@dataclass(frozen=True, slots=True)
class Address:
    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state_or_province: str | None = None
    state_or_province_code: str | None = None
    country_code: str | None = None
    postal_code: str | None = None
    phone: str | None = None


# Every address field but the id: what a client may send and BigCommerce answers.
ADDRESS_FIELDS = tuple(name for name in Address.__slots__ if name != "id")


@slot_init
@dataclass(frozen=True, slots=True)
class CartLine:
    """One line of a new cart, as asked for."""

    product_id: int
    quantity: int
    variant_id: int | None = None


@slot_init
@dataclass(frozen=True, slots=True)
class ConsignmentLine:
    """One cart line (by its item id) shipped in a consignment."""

    item_id: str
    quantity: int


@slot_init
@dataclass(frozen=True, slots=True)
class LineItem:
    id: str
    product_id: int
    variant_id: int | None
    name: str
    quantity: int
    list_price: Money
    sale_price: Money
    extended_sale_price: Money
    # A physical line must be in a consignment before an order is made; a digital one not.
    is_physical: bool = True


@slot_init
@dataclass(frozen=True, slots=True)
class Cart:
    id: str
    customer_id: int
    currency_code: str
    line_items: list[LineItem]
    base_amount: Money
    cart_amount: Money


@slot_init
@dataclass(frozen=True, slots=True)
class RedirectUrls:
    cart_url: str
    checkout_url: str
    embedded_checkout_url: str


@slot_init
@dataclass(frozen=True, slots=True)
class ShippingOption:
    id: str
    description: str
    type: str
    transit_time: str | None
    cost: Money


@slot_init
@dataclass(frozen=True, slots=True)
class Consignment:
    id: str
    address: Address
    line_item_ids: list[str]
    available_shipping_options: list[ShippingOption] | None
    selected_shipping_option: ShippingOption | None
    shipping_cost: Money


@slot_init
@dataclass(frozen=True, slots=True)
class AppliedCoupon:
    code: str
    discounted_amount: Money


@slot_init
@dataclass(frozen=True, slots=True)
class Checkout:
    id: str
    version: int
    order_number: int | None
    cart: Cart
    billing_address: Address | None
    consignments: list[Consignment]
    subtotal: Money
    shipping_cost_total: Money
    tax_total: Money
    grand_total: Money
    # Filled by the domain: the opaque id of order_number, when there is one.
    order_id: str | None = None
    coupons: list[AppliedCoupon] = field(default_factory=list)
    # What comes off the items (coupons and promotions): subtotal - discount_total +
    # shipping_cost_total + tax_total = grand_total. Free shipping lowers the shipping instead.
    discount_total: Money | None = None
    customer_message: str | None = None


class OrderStatus(Enum):
    INCOMPLETE = 0
    PENDING = 1
    AWAITING_PAYMENT = 7
    AWAITING_FULFILLMENT = 11


@slot_init
@dataclass(frozen=True, slots=True)
class Order:
    id: str  # opaque, signed by the gateway
    number: int  # BigCommerce's order id
    status: str
    status_id: int
    payment_status: str | None
    total: Money
    customer_id: int
    cart_id: str | None
    # From the order's own body when it was read (not kept by idempotency records).
    details: OrderDetails | None = None

    @property
    def is_incomplete(self) -> bool:
        return self.status_id == OrderStatus.INCOMPLETE.value

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "status": self.status,
            "status_id": self.status_id,
            "payment_status": self.payment_status,
            "total": [str(self.total.amount), self.total.currency_code],
            "customer_id": self.customer_id,
            "cart_id": self.cart_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Order:
        amount, currency = data["total"]
        return cls(
            id=data["id"],
            number=data["number"],
            status=data["status"],
            status_id=data["status_id"],
            payment_status=data["payment_status"],
            total=Money(Decimal(amount), currency),
            customer_id=data["customer_id"],
            cart_id=data["cart_id"],
        )


@slot_init
@dataclass(frozen=True, slots=True)
class OrderDetails:
    """What a confirmation page shows of an order, beside its status and total."""

    billing_address: Address | None
    subtotal: Money
    shipping_cost_total: Money
    tax_total: Money
    discount_total: Money
    customer_message: str | None
    created_at: datetime | None


@slot_init
@dataclass(frozen=True, slots=True)
class OrderLine:
    """One product line of an order: unit price and line total, before tax."""

    name: str
    sku: str
    quantity: int
    base_price: Money
    total_price: Money


@slot_init
@dataclass(frozen=True, slots=True)
class SupportedInstrument:
    instrument_type: str
    verification_value_required: bool


@slot_init
@dataclass(frozen=True, slots=True)
class StoredCard:
    token: str
    is_default: bool
    brand: str
    last4: str
    expiry_month: int
    expiry_year: int
    issuer_identification_number: str
    # The accepted payment method that charges it for one order; None in the wallet.
    payment_method_id: str | None = None


@slot_init
@dataclass(frozen=True, slots=True)
class StoredPayPalAccount:
    token: str
    is_default: bool
    email: str
    # The accepted payment method that charges it for one order; None in the wallet.
    payment_method_id: str | None = None


@slot_init
@dataclass(frozen=True, slots=True)
class StoredBankAccount:
    token: str
    is_default: bool
    masked_account_number: str
    issuer: str
    # The accepted payment method that charges it for one order; None in the wallet.
    payment_method_id: str | None = None


StoredInstrument = StoredCard | StoredPayPalAccount | StoredBankAccount


@slot_init
@dataclass(frozen=True, slots=True)
class PaymentMethod:
    id: str
    name: str
    type: str
    test_mode: bool
    # No stored instruments: they are the order's customer's, and a method is the same
    # for every shopper (what the cache keeps and what a client normalizes by id).
    supported_instruments: list[SupportedInstrument]


class PaymentStatus(Enum):
    SUCCESS = "success"
    PENDING = "pending"


class TransactionType(Enum):
    PURCHASE = "purchase"
    AUTHORIZATION = "authorization"


@slot_init
@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    status: PaymentStatus
    transaction_type: TransactionType


@slot_init
@dataclass(frozen=True, slots=True)
class PaymentResult:
    """What a pay mutation answers: the payment (None when only the order's status is known)."""

    payment: Payment | None
    order: Order | None  # None only when the read-back after a charge failed

    def to_dict(self) -> dict[str, Any]:
        payment = self.payment
        return {
            "payment": None
            if payment is None
            else [payment.id, payment.status.value, payment.transaction_type.value],
            "order": None if self.order is None else self.order.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PaymentResult:
        raw = data["payment"]
        payment = (
            None if raw is None else Payment(raw[0], PaymentStatus(raw[1]), TransactionType(raw[2]))
        )
        order = None if data["order"] is None else Order.from_dict(data["order"])
        return cls(payment=payment, order=order)


@slot_init
@dataclass(frozen=True, slots=True)
class Transaction:
    id: str
    event: str
    status: str
    amount: Decimal
    currency: str
    payment_method_id: str | None


class OrderError(GatewayError):
    """A failure that concerns an order: the order (as far as known) is shown beside it."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        order: Order | None,
        *,
        field: list[str] | None = None,
        extensions: dict[str, Any] | None = None,
        effect: Effect = Effect.NONE,
    ) -> None:
        self.order = order
        super().__init__(code, message, field, extensions=extensions, effect=effect)
