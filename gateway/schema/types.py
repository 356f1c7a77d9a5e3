"""The schema's object types.

They describe the domain models (``gateway.domain.models``), which resolvers
return as they are: field names match, so nothing is copied per request.
``is_type_of`` lets abstract types (the federation ``_Entity`` union, the
``StoredInstrument`` interface) recognise a domain object.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import strawberry
from strawberry.federation.schema_directives import Shareable

from gateway.domain import models
from gateway.errors import ErrorCode as DomainErrorCode
from gateway.schema.context import Info
from gateway.schema.query_errors import answer
from gateway.schema.root_reads import read_checkout, read_order

# The domain's enums, registered as GraphQL enums (their names become the values).
strawberry.enum(
    DomainErrorCode,
    name="ErrorCode",
    description="Why a request failed; stable, for programs to act on.",
)
strawberry.enum(models.PaymentStatus, name="PaymentStatus")
strawberry.enum(models.TransactionType, name="TransactionType")


def _is(model: type) -> Any:
    def is_type_of(cls: type, obj: Any, _info: Any) -> bool:
        return isinstance(obj, (model, cls))

    return classmethod(is_type_of)


@strawberry.type(directives=[Shareable()], description="An amount of money in one currency.")
class Money:
    amount: Decimal
    currency_code: str


@strawberry.type(directives=[Shareable()])
class Address:
    id: strawberry.ID | None
    first_name: str | None
    last_name: str | None
    email: str | None
    company: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state_or_province: str | None
    state_or_province_code: str | None
    country_code: str | None
    postal_code: str | None
    phone: str | None


@strawberry.type(directives=[Shareable()], description="One expected failure of a mutation.")
class UserError:
    code: DomainErrorCode
    field: list[str] | None = strawberry.field(
        description='Path of the input field at fault, e.g. ["input", "card", "number"].'
    )
    message: str
    retry_after_ms: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how long to wait before retrying."
    )


@strawberry.type
class LineItem:
    id: strawberry.ID
    product_id: int
    variant_id: int | None
    name: str
    quantity: int
    list_price: Money
    sale_price: Money
    extended_sale_price: Money


@strawberry.type
class Cart:
    id: strawberry.ID
    customer_id: int
    currency_code: str
    line_items: list[LineItem]
    base_amount: Money
    cart_amount: Money


@strawberry.type
class RedirectUrls:
    cart_url: str
    checkout_url: str
    embedded_checkout_url: str


@strawberry.type
class ShippingOption:
    id: strawberry.ID
    description: str
    type: str
    transit_time: str | None
    cost: Money


@strawberry.type
class Consignment:
    id: strawberry.ID
    address: Address
    line_item_ids: list[strawberry.ID]
    available_shipping_options: list[ShippingOption] | None
    selected_shipping_option: ShippingOption | None
    shipping_cost: Money


@strawberry.type(description="A coupon applied to a checkout, and what it takes off.")
class AppliedCoupon:
    code: str
    discounted_amount: Money


@strawberry.federation.type(keys=["id"], description="A cart on its way to become an order.")
class Checkout:
    id: strawberry.ID
    version: int = strawberry.field(description="Pass it back to detect concurrent changes.")
    order_id: strawberry.ID | None = strawberry.field(
        description="The opaque id of the order made from this checkout, if any."
    )
    cart: Cart
    billing_address: Address | None
    consignments: list[Consignment]
    subtotal: Money
    shipping_cost_total: Money
    tax_total: Money
    grand_total: Money
    coupons: list[AppliedCoupon]
    discount_total: Money = strawberry.field(
        description="Taken off the items (coupons, promotions): grandTotal = subtotal - "
        "discountTotal + shippingCostTotal + taxTotal. Free shipping lowers shippingCostTotal."
    )
    customer_message: str | None = strawberry.field(
        description="The shopper's note for the merchant (setCustomerMessage)."
    )

    is_type_of = _is(models.Checkout)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Checkout:
        return cast(Checkout, await read_checkout(info.context, str(id)))


@strawberry.federation.type(keys=["id"], description="A BigCommerce order.")
class Order:
    id: strawberry.ID = strawberry.field(description="Opaque id issued by the gateway.")
    number: int = strawberry.field(description="BigCommerce's order id.")
    status: str = strawberry.field(description="BigCommerce's status name.")
    status_id: int
    payment_status: str | None
    total: Money

    @strawberry.field(description="What was bought: one entry per product line.")
    async def line_items(self, info: Info) -> list[OrderLine]:
        order = cast(models.Order, self)
        key = (order.number, order.total.currency_code)
        return cast(list[OrderLine], await answer(info.context.order_loaders.lines.load(key)))

    @strawberry.field(description="Where each consignment of the order goes.")
    async def shipping_addresses(self, info: Info) -> list[Address]:
        work = info.context.order_loaders.shipping_addresses.load(cast(models.Order, self).number)
        return cast(list[Address], await answer(work))

    @strawberry.field
    async def billing_address(self, info: Info) -> Address | None:
        return cast(Address | None, (await _details(self, info)).billing_address)

    @strawberry.field(description="The items, before discounts and tax.")
    async def subtotal(self, info: Info) -> Money:
        return cast(Money, (await _details(self, info)).subtotal)

    @strawberry.field(description="Shipping, before tax (after a free-shipping coupon).")
    async def shipping_cost_total(self, info: Info) -> Money:
        return cast(Money, (await _details(self, info)).shipping_cost_total)

    @strawberry.field
    async def tax_total(self, info: Info) -> Money:
        return cast(Money, (await _details(self, info)).tax_total)

    @strawberry.field(description="Taken off the items: coupons and discounts.")
    async def discount_total(self, info: Info) -> Money:
        return cast(Money, (await _details(self, info)).discount_total)

    @strawberry.field
    async def customer_message(self, info: Info) -> str | None:
        return (await _details(self, info)).customer_message

    @strawberry.field(description="When the order was made, ISO 8601 in UTC.")
    async def created_at(self, info: Info) -> str | None:
        created = (await _details(self, info)).created_at
        return None if created is None else created.isoformat().replace("+00:00", "Z")

    is_type_of = _is(models.Order)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Order:
        return cast(Order, await read_order(info.context, str(id)))


@strawberry.type(description="One product line of an order, prices before tax.")
class OrderLine:
    name: str
    sku: str
    quantity: int
    base_price: Money = strawberry.field(description="The unit price.")
    total_price: Money = strawberry.field(description="quantity x basePrice, before discounts.")


async def _details(order: Any, info: Info) -> models.OrderDetails:
    return cast(models.OrderDetails, await answer(info.context.order_loaders.details(order)))


@strawberry.type
class SupportedInstrument:
    instrument_type: str
    verification_value_required: bool


STORED_TYPE_NAMES = {
    models.StoredCard: "StoredCard",
    models.StoredPayPalAccount: "StoredPayPalAccount",
    models.StoredBankAccount: "StoredBankAccount",
}


@strawberry.interface(description="A payment instrument the shopper saved earlier.")
class StoredInstrument:
    token: str
    is_default: bool
    payment_method_id: str | None = strawberry.field(
        description="The payment method that charges it for the order asked about "
        "(Shopper.storedInstruments(orderId)); null in the wallet."
    )

    @classmethod
    def resolve_type(cls, obj: Any, _info: Any, _type: Any) -> str:
        return STORED_TYPE_NAMES[type(obj)]


@strawberry.type
class StoredCard(StoredInstrument):
    brand: str
    last4: str
    expiry_month: int
    expiry_year: int
    issuer_identification_number: str

    is_type_of = _is(models.StoredCard)


@strawberry.type
class StoredPayPalAccount(StoredInstrument):
    email: str

    is_type_of = _is(models.StoredPayPalAccount)


@strawberry.type
class StoredBankAccount(StoredInstrument):
    masked_account_number: str
    issuer: str

    is_type_of = _is(models.StoredBankAccount)


@strawberry.type
class PaymentMethod:
    id: str
    name: str
    type: str
    test_mode: bool
    supported_instruments: list[SupportedInstrument]


@strawberry.type
class Payment:
    id: strawberry.ID
    status: models.PaymentStatus
    transaction_type: models.TransactionType
