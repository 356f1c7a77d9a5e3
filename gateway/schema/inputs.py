"""Mutation inputs. Card fields are plain String/Int: the domain checks them and answers
with payload errors (INVALID_CARD, CARD_EXPIRED, VALIDATION), never echoing a value."""

from __future__ import annotations

import dataclasses

import strawberry

from gateway.domain import models
from gateway.domain.models import CartLine, ConsignmentLine
from gateway.domain.validation import CardDetails


@strawberry.input
class CartLineItemInput:
    product_id: int
    quantity: int
    variant_id: int | None = None

    def to_domain(self) -> CartLine:
        return CartLine(self.product_id, self.quantity, self.variant_id)


@strawberry.input
class CreateCartInput:
    """The cart belongs to the signed-in shopper (their token), else it is a guest's."""

    line_items: list[CartLineItemInput]
    currency_code: str | None = None
    channel_id: int | None = None


@strawberry.input
class AddressInput:
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

    def to_domain(self) -> models.Address:
        return models.Address(**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)})


@strawberry.input
class AddBillingAddressInput:
    checkout_id: strawberry.ID
    address: AddressInput
    version: int | None = strawberry.field(
        default=None, description="The checkout version read; a stale one is CONFLICT."
    )


@strawberry.input
class ConsignmentLineItemInput:
    item_id: strawberry.ID
    quantity: int

    def to_domain(self) -> ConsignmentLine:
        return ConsignmentLine(str(self.item_id), self.quantity)


@strawberry.input
class AddConsignmentInput:
    checkout_id: strawberry.ID
    address: AddressInput
    line_items: list[ConsignmentLineItemInput]
    version: int | None = None


@strawberry.input
class SelectShippingOptionInput:
    checkout_id: strawberry.ID
    consignment_id: strawberry.ID
    shipping_option_id: strawberry.ID
    version: int | None = None


@strawberry.input
class CreateOrderInput:
    checkout_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(
        default=None, description="At most 255 characters; the same key returns the same order."
    )


@strawberry.input
class CardInput:
    number: str
    cardholder_name: str
    expiry_month: int
    expiry_year: int
    verification_value: str

    def to_domain(self) -> CardDetails:
        return CardDetails(
            self.number,
            self.cardholder_name,
            self.expiry_month,
            self.expiry_year,
            self.verification_value,
        )

    def __repr__(self) -> str:
        return repr(self.to_domain())  # masked: never the number or the CVV


@strawberry.input
class PayWithCardInput:
    order_id: strawberry.ID
    payment_method_id: str
    card: CardInput
    save_instrument: bool = False
    idempotency_key: str | None = None


@strawberry.input
class PayWithStoredCardInput:
    order_id: strawberry.ID
    payment_method_id: str
    token: str
    verification_value: str | None = None
    idempotency_key: str | None = None

    def __repr__(self) -> str:
        return f"PayWithStoredCardInput(order_id={self.order_id!r}, ...)"
