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

    is_type_of = _is(models.Checkout)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Checkout:
        return cast(Checkout, await answer(info.context.loaders.checkouts.load(str(id))))


@strawberry.federation.type(keys=["id"], description="A BigCommerce order.")
class Order:
    id: strawberry.ID = strawberry.field(description="Opaque id issued by the gateway.")
    number: int = strawberry.field(description="BigCommerce's order id.")
    status: str = strawberry.field(description="BigCommerce's status name.")
    status_id: int
    payment_status: str | None
    total: Money

    is_type_of = _is(models.Order)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Order:
        return cast(Order, await answer(info.context.loaders.orders.load(str(id))))


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
