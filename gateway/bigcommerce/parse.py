"""REST bodies -> the gateway's models. Tolerant of absent optional fields, strict on ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.bigcommerce.errors import MalformedAnswer
from gateway.domain.identity import Shopper
from gateway.domain.models import (
    ADDRESS_FIELDS,
    Address,
    AppliedCoupon,
    Cart,
    Checkout,
    Consignment,
    LineItem,
    Money,
    Payment,
    PaymentMethod,
    PaymentStatus,
    RedirectUrls,
    ShippingOption,
    StoredBankAccount,
    StoredCard,
    StoredInstrument,
    StoredPayPalAccount,
    SupportedInstrument,
    Transaction,
    TransactionType,
)

ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD", "UGX"})
CENTS = Decimal("0.01")
UNITS = Decimal("1")


# Amounts parsed before: a checkout holds a dozen, mostly the same few prices and zeros.
# Money is immutable, so one instance serves every answer. Bounded; cleared when full.
_AMOUNTS: dict[tuple[type, Any, str], Money] = {}
MAX_AMOUNTS = 4096


def money(value: Any, currency: str) -> Money:
    """An amount in the currency's minor units ("49.9" and "49.9000" are both "49.90")."""
    # The type is part of the key: True == 1, but True is no amount.
    key = (value.__class__, value, currency)
    try:
        return _AMOUNTS[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable value (a list): not an amount, said below
        key = None  # type: ignore[assignment]
    try:
        amount = Decimal(str(value if value is not None else 0))
        step = UNITS if currency in ZERO_DECIMAL_CURRENCIES else CENTS
        parsed = Money(amount.quantize(step), currency)
    except InvalidOperation:
        raise MalformedAnswer("amount") from None
    if key is not None:
        if len(_AMOUNTS) >= MAX_AMOUNTS:
            _AMOUNTS.clear()
        _AMOUNTS[key] = parsed
    return parsed


def address(data: dict[str, Any] | None) -> Address | None:
    if not data:
        return None
    get = data.get
    ident = get("id")
    # Positional, in the fields' order (ADDRESS_FIELDS follows the id): no keyword dict;
    # _text written inline, twelve calls fewer per address.
    return Address(
        None if ident is None else str(ident),
        *[None if (value := get(name)) is None else str(value) for name in ADDRESS_FIELDS],
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def cart(data: dict[str, Any]) -> Cart:
    currency = (data.get("currency") or {}).get("code") or "USD"
    items = data.get("line_items") or {}
    lines = [
        line_item(item, currency, is_physical=kind == "physical_items")
        for kind in ("physical_items", "digital_items")
        for item in items.get(kind) or []
    ]
    return Cart(  # positional, in Cart's field order: id, customer_id, currency_code, ...
        str(data["id"]),
        int(data.get("customer_id") or 0),
        currency,
        lines,
        money(data.get("base_amount"), currency),
        money(data.get("cart_amount", data.get("cart_amount_ex_tax")), currency),
    )


def line_item(data: dict[str, Any], currency: str, *, is_physical: bool = True) -> LineItem:
    get = data.get
    variant = get("variant_id")
    return LineItem(  # positional, in LineItem's field order (a checkout has one per line)
        str(data["id"]),
        int(data["product_id"]),
        None if variant is None else int(variant),
        str(get("name") or ""),
        int(get("quantity") or 0),
        money(get("list_price"), currency),
        money(get("sale_price"), currency),
        money(get("extended_sale_price"), currency),
        is_physical,
    )


def redirect_urls(data: dict[str, Any] | None) -> RedirectUrls | None:
    if not data:
        return None
    return RedirectUrls(
        cart_url=str(data.get("cart_url") or ""),
        checkout_url=str(data.get("checkout_url") or ""),
        embedded_checkout_url=str(data.get("embedded_checkout_url") or ""),
    )


def shipping_option(data: dict[str, Any], currency: str) -> ShippingOption:
    get = data.get
    return ShippingOption(  # positional, in ShippingOption's field order (several per answer)
        str(data["id"]),
        str(get("description") or ""),
        str(get("type") or ""),
        _text(get("transit_time")),
        money(get("cost"), currency),
    )


def consignment(data: dict[str, Any], currency: str) -> Consignment:
    get = data.get
    available = get("available_shipping_options")
    selected = get("selected_shipping_option")
    return Consignment(  # positional, in Consignment's field order
        str(data["id"]),
        address(get("address") or get("shipping_address")) or Address(),
        [str(i) for i in get("line_item_ids") or []],
        None if available is None else [shipping_option(o, currency) for o in available],
        shipping_option(selected, currency) if selected else None,
        money(get("shipping_cost_ex_tax"), currency),
    )


def checkout(data: dict[str, Any], order_id_of: Callable[[int], str] | None = None) -> Checkout:
    """``order_id_of`` gives the order's opaque id when the checkout has become an order."""
    the_cart = cart(data["cart"])
    currency = the_cart.currency_code
    order = data.get("order_id")
    number = int(order) if order not in (None, "") else None
    order_id = order_id_of(number) if order_id_of is not None and number is not None else None
    get = data.get
    # base_amount is the items before discounts, cart_amount(_ex_tax) after them.
    discount = the_cart.base_amount.amount - the_cart.cart_amount.amount
    return Checkout(  # positional (one call per answer, 14 fields): each named on its line
        str(data["id"]),  # id
        int(get("version") or 0),  # version
        number,  # order_number
        the_cart,  # cart
        address(get("billing_address")),  # billing_address
        [consignment(c, currency) for c in get("consignments") or []],  # consignments
        money(get("subtotal_ex_tax"), currency),  # subtotal
        money(get("shipping_cost_total_ex_tax"), currency),  # shipping_cost_total
        money(get("tax_total"), currency),  # tax_total
        money(get("grand_total"), currency),  # grand_total
        order_id,  # order_id
        [applied_coupon(c, currency) for c in get("coupons") or []],  # coupons
        money(discount, currency),  # discount_total
        _text(get("customer_message")) or None,  # customer_message
    )


def applied_coupon(data: dict[str, Any], currency: str) -> AppliedCoupon:
    return AppliedCoupon(
        code=str(data.get("code") or ""),
        discounted_amount=money(data.get("discounted_amount"), currency),
    )


def payment_method(data: dict[str, Any]) -> PaymentMethod:
    return PaymentMethod(
        id=str(data["id"]),
        name=str(data.get("name") or ""),
        type=str(data.get("type") or ""),
        test_mode=bool(data.get("test_mode")),
        supported_instruments=[
            SupportedInstrument(
                instrument_type=str(i.get("instrument_type") or ""),
                verification_value_required=bool(i.get("verification_value_required")),
            )
            for i in data.get("supported_instruments") or []
        ],
    )


def usable_instruments(methods: list[dict[str, Any]]) -> list[StoredInstrument]:
    """The order's customer's stored instruments, each with the method that charges it."""
    found: list[StoredInstrument] = []
    for method in methods:
        method_id = str(method["id"])
        for raw in method.get("stored_instruments") or []:
            instrument = stored_instrument(raw)
            if instrument is not None:
                found.append(replace(instrument, payment_method_id=method_id))
    return found


def valid_customer_id(data: Any) -> int | None:
    """Validate Credentials' answer: the customer id when ``is_valid``, else None."""
    if not isinstance(data, dict) or not isinstance(data.get("is_valid"), bool):
        raise MalformedAnswer("validate-credentials")
    customer_id = data.get("customer_id")
    if not data["is_valid"] or not isinstance(customer_id, int) or customer_id <= 0:
        return None
    return customer_id


def shopper(data: dict[str, Any]) -> Shopper:
    return Shopper(
        customer_id=int(data["id"]),
        email=str(data.get("email") or ""),
        first_name=_text(data.get("first_name")),
        last_name=_text(data.get("last_name")),
    )


def stored_instrument(data: dict[str, Any]) -> StoredInstrument | None:
    kind = data.get("type")
    token = str(data.get("token") or "")
    default = bool(data.get("is_default"))
    if kind == "stored_card":
        return StoredCard(
            token=token,
            is_default=default,
            brand=str(data.get("brand") or ""),
            last4=str(data.get("last_4") or ""),
            expiry_month=int(data.get("expiry_month") or 0),
            expiry_year=int(data.get("expiry_year") or 0),
            issuer_identification_number=str(data.get("issuer_identification_number") or ""),
        )
    if kind == "stored_paypal_account":
        return StoredPayPalAccount(token=token, is_default=default, email=str(data.get("email")))
    if kind == "stored_bank_account":
        return StoredBankAccount(
            token=token,
            is_default=default,
            masked_account_number=str(data.get("masked_account_number") or ""),
            issuer=str(data.get("issuer") or ""),
        )
    return None  # an instrument type this gateway does not know is not offered


def payment(data: dict[str, Any]) -> Payment:
    try:
        return Payment(
            id=str(data["id"]),
            status=PaymentStatus(data.get("status")),
            transaction_type=TransactionType(data.get("transaction_type")),
        )
    except (KeyError, ValueError):
        raise MalformedAnswer("payment") from None


def transaction(data: dict[str, Any]) -> Transaction:
    return Transaction(
        id=str(data.get("id")),
        event=str(data.get("event") or ""),
        status=str(data.get("status") or ""),
        amount=Decimal(str(data.get("amount") or 0)),
        currency=str(data.get("currency") or ""),
        payment_method_id=_text(data.get("payment_method_id")),
    )
