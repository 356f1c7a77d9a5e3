"""BigCommerce request bodies: their REST shapes, typed, built from the gateway's models.

The domain decides what to send; this module knows how BigCommerce spells it
(snake_case fields, the consignment body as an array element, ``version`` only
when the client sent one, the payment instrument variants). Bodies with card
data live only as long as the call that sends them.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from gateway.domain.models import (
    ADDRESS_FIELDS,
    Address,
    CartLine,
    ConsignmentLine,
    StoredBankAccount,
    StoredCard,
    StoredPayPalAccount,
)
from gateway.domain.ports import Instrument, StoredChoice


class AddressBody(TypedDict, total=False):
    first_name: str
    last_name: str
    email: str
    company: str
    address1: str
    address2: str
    city: str
    state_or_province: str
    state_or_province_code: str
    country_code: str
    postal_code: str
    phone: str
    version: int


class CartLineBody(TypedDict):
    product_id: int
    quantity: int
    variant_id: NotRequired[int]


class CurrencyBody(TypedDict):
    code: str


class CartBody(TypedDict):
    line_items: list[CartLineBody]
    customer_id: NotRequired[int]
    channel_id: NotRequired[int]
    currency: NotRequired[CurrencyBody]


class ConsignmentLineBody(TypedDict):
    item_id: str
    quantity: int


class ConsignmentBody(TypedDict):
    address: AddressBody
    line_items: list[ConsignmentLineBody]
    version: NotRequired[int]


class ShippingOptionBody(TypedDict):
    shipping_option_id: str
    version: NotRequired[int]


class CardInstrument(TypedDict):
    type: Literal["card"]
    number: str
    cardholder_name: str
    expiry_month: int
    expiry_year: int
    verification_value: str


StoredKind = Literal["stored_card", "stored_paypal_account", "stored_bank_account"]


class StoredInstrumentBody(TypedDict):
    type: StoredKind
    token: str
    verification_value: NotRequired[str]


InstrumentBody = CardInstrument | StoredInstrumentBody

STORED_TYPES: dict[type, StoredKind] = {
    StoredCard: "stored_card",
    StoredPayPalAccount: "stored_paypal_account",
    StoredBankAccount: "stored_bank_account",
}


class PaymentBody(TypedDict):
    instrument: InstrumentBody
    payment_method_id: str
    save_instrument: NotRequired[bool]


def address_body(address: Address, version: int | None = None) -> AddressBody:
    """The address with absent fields left out; ``version`` only when the client sent one
    (it turns on BigCommerce's optimistic concurrency check)."""
    body: AddressBody = {}
    for name in ADDRESS_FIELDS:
        value = getattr(address, name)
        if value is not None:
            body[name] = value  # type: ignore[literal-required]
    if version is not None:
        body["version"] = version
    return body


def cart_body(
    lines: list[CartLine],
    customer_id: int | None,
    channel_id: int | None,
    currency_code: str | None,
) -> CartBody:
    items: list[CartLineBody] = []
    for line in lines:
        item: CartLineBody = {"product_id": line.product_id, "quantity": line.quantity}
        if line.variant_id is not None:
            item["variant_id"] = line.variant_id
        items.append(item)
    body: CartBody = {"line_items": items}
    if customer_id is not None:
        body["customer_id"] = customer_id
    if channel_id is not None:
        body["channel_id"] = channel_id
    if currency_code is not None:
        body["currency"] = {"code": currency_code}
    return body


def consignment_body(
    address: Address, lines: list[ConsignmentLine], version: int | None
) -> ConsignmentBody:
    """One element of the consignments POST (whose body is an array of these)."""
    body: ConsignmentBody = {
        "address": address_body(address),
        "line_items": [{"item_id": line.item_id, "quantity": line.quantity} for line in lines],
    }
    if version is not None:
        body["version"] = version
    return body


def shipping_option_body(shipping_option_id: str, version: int | None) -> ShippingOptionBody:
    # Sent alone: an address change in the same request could invalidate the option.
    body: ShippingOptionBody = {"shipping_option_id": shipping_option_id}
    if version is not None:
        body["version"] = version
    return body


def instrument_body(instrument: Instrument) -> InstrumentBody:
    if isinstance(instrument, StoredChoice):
        return stored_instrument(instrument)
    return {
        "type": "card",
        "number": instrument.digits,
        "cardholder_name": instrument.cardholder_name.strip(),
        "expiry_month": instrument.expiry_month,
        "expiry_year": instrument.expiry_year,
        "verification_value": instrument.verification_value,
    }


def stored_instrument(choice: StoredChoice) -> StoredInstrumentBody:
    stored = choice.instrument
    body: StoredInstrumentBody = {"type": STORED_TYPES[type(stored)], "token": stored.token}
    # Only a stored card takes a CVV.
    if choice.verification_value is not None and isinstance(stored, StoredCard):
        body["verification_value"] = choice.verification_value
    return body


def payment_body(
    instrument: Instrument, payment_method_id: str, save_instrument: bool | None
) -> PaymentBody:
    body: PaymentBody = {
        "instrument": instrument_body(instrument),
        "payment_method_id": payment_method_id,
    }
    if save_instrument is not None:
        body["save_instrument"] = save_instrument
    return body


class CredentialsBody(TypedDict):
    email: str
    password: str
    channel_id: int


class CartCustomerBody(TypedDict):
    customer_id: int


def credentials_body(email: str, password: str, channel_id: int) -> CredentialsBody:
    """Validate Credentials on one channel; the body lives only as long as its call."""
    return {"email": email, "password": password, "channel_id": channel_id}


def cart_customer_body(customer_id: int) -> CartCustomerBody:
    """Update Cart with only ``customer_id``: the cart becomes that customer's."""
    return {"customer_id": customer_id}


# Editing a cart and checkout (issue 13)


class CartItemsBody(TypedDict):
    line_items: list[CartLineBody]
    version: NotRequired[int]


class CartItemBody(TypedDict):
    product_id: int
    quantity: int
    variant_id: NotRequired[int]


class CartItemUpdateBody(TypedDict):
    line_item: CartItemBody
    version: NotRequired[int]


class CouponBody(TypedDict):
    coupon_code: str
    version: NotRequired[int]


class ConsignmentChangeBody(TypedDict, total=False):
    address: AddressBody
    line_items: list[ConsignmentLineBody]
    version: int


class CustomerMessageBody(TypedDict):
    customer_message: str
    version: NotRequired[int]


def cart_items_body(lines: list[CartLine], version: int | None) -> CartItemsBody:
    body: CartItemsBody = {"line_items": cart_body(lines, None, None, None)["line_items"]}
    if version is not None:
        body["version"] = version
    return body


def cart_item_update_body(
    product_id: int, variant_id: int | None, quantity: int, version: int | None
) -> CartItemUpdateBody:
    # BigCommerce wants the line's product (and variant) again beside the new quantity.
    item: CartItemBody = {"product_id": product_id, "quantity": quantity}
    if variant_id is not None:
        item["variant_id"] = variant_id
    body: CartItemUpdateBody = {"line_item": item}
    if version is not None:
        body["version"] = version
    return body


def coupon_body(code: str, version: int | None) -> CouponBody:
    body: CouponBody = {"coupon_code": code}
    if version is not None:
        body["version"] = version
    return body


def consignment_change_body(
    address: Address | None, lines: list[ConsignmentLine] | None, version: int | None
) -> ConsignmentChangeBody:
    """An address and/or lines; never a shipping option (that goes in a request of its own)."""
    body: ConsignmentChangeBody = {}
    if address is not None:
        body["address"] = address_body(address)
    if lines is not None:
        body["line_items"] = [
            {"item_id": line.item_id, "quantity": line.quantity} for line in lines
        ]
    if version is not None:
        body["version"] = version
    return body


def customer_message_body(message: str, version: int | None) -> CustomerMessageBody:
    body: CustomerMessageBody = {"customer_message": message}
    if version is not None:
        body["version"] = version
    return body
