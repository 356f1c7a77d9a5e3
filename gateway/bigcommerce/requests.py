"""BigCommerce request bodies: their REST shapes, typed, built from the gateway's models.

The domain decides what to send; this module knows how BigCommerce spells it
(snake_case fields, the consignment body as an array element, ``version`` only
when the client sent one, the payment instrument variants).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from gateway.domain.models import Address

ADDRESS_FIELDS = tuple(name for name in Address.__slots__ if name != "id")


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


Instrument = CardInstrument | StoredInstrumentBody


class PaymentBody(TypedDict):
    instrument: Instrument
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
    lines: list[tuple[int, int, int | None]],
    customer_id: int | None,
    channel_id: int | None,
    currency_code: str | None,
) -> CartBody:
    """``lines`` are (product id, quantity, variant id or None)."""
    items: list[CartLineBody] = []
    for product_id, quantity, variant_id in lines:
        item: CartLineBody = {"product_id": product_id, "quantity": quantity}
        if variant_id is not None:
            item["variant_id"] = variant_id
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
    address: Address, lines: list[tuple[str, int]], version: int | None
) -> ConsignmentBody:
    """One element of the consignments POST (whose body is an array of these)."""
    body: ConsignmentBody = {
        "address": address_body(address),
        "line_items": [{"item_id": item, "quantity": quantity} for item, quantity in lines],
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


def stored_instrument(
    kind: StoredKind, token: str, verification_value: str | None
) -> StoredInstrumentBody:
    body: StoredInstrumentBody = {"type": kind, "token": token}
    if verification_value is not None:
        body["verification_value"] = verification_value
    return body


def payment_body(
    instrument: Instrument, payment_method_id: str, save_instrument: bool | None
) -> PaymentBody:
    body: PaymentBody = {"instrument": instrument, "payment_method_id": payment_method_id}
    if save_instrument is not None:
        body["save_instrument"] = save_instrument
    return body
