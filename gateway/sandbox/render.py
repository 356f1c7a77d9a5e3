"""Builds the JSON bodies BigCommerce returns from the sandbox's records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from . import catalog, promotions
from .pricing import as_number, as_v2_string, cart_totals, coupon_savings
from .state import Address, Cart, Consignment, Order, StoredInstrument, Totals, Transaction

ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "company",
    "address1",
    "address2",
    "city",
    "state_or_province",
    "state_or_province_code",
    "country_code",
    "postal_code",
    "phone",
)


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def rfc2822(ts: datetime) -> str:
    return ts.strftime("%a, %d %b %Y %H:%M:%S +0000")


def address(addr: Address, *, with_id: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"id": addr.id} if with_id else {}
    for key in ADDRESS_FIELDS:
        out[key] = addr.fields.get(key, "")
    if not out["phone"]:
        del out["phone"]  # the schema's phone pattern rejects "", so no phone is no key
    out["country"] = catalog.COUNTRIES.get(addr.fields.get("country_code", ""), "")
    out["custom_fields"] = list(addr.fields.get("custom_fields", []))
    return out


def shipping_option(option: catalog.ShippingOption) -> dict[str, Any]:
    return {
        "id": option.id,
        "type": option.type,
        "description": option.description,
        "image_url": "",
        "cost": as_number(option.cost),
        "transit_time": option.transit_time,
        "additional_description": "",
    }


def line_items(cart: Cart, *, for_checkout: bool = False) -> dict[str, Any]:
    physical: list[dict[str, Any]] = []
    coupon_amounts = {line.item_id: line.coupon_discount for line in cart_totals(cart).lines}
    for item in cart.line_items:
        price = as_number(item.list_price)
        extended = as_number(item.extended_price)
        physical.append(
            {
                "id": item.id,
                "variant_id": item.product.variant_id,
                "product_id": item.product.id,
                "sku": item.product.sku,
                "name": item.name,
                "url": item.product.url,
                "quantity": item.quantity,
                "taxable": True,
                "is_taxable": True,
                "image_url": item.product.image_url,
                "discounts": [],
                "coupons": [],
                "discount_amount": 0,
                "coupon_amount": as_number(coupon_amounts.get(item.id, Decimal("0"))),
                "original_price": as_number(item.product.price),
                "list_price": price,
                "sale_price": price,
                "extended_list_price": extended,
                "extended_sale_price": extended,
                "is_require_shipping": True,
                "is_mutable": True,
            }
        )
        if for_checkout:
            # Checkout's schema has these nullable; Cart_Full types them non-null, so a
            # cart leaves them out.
            physical[-1].update(parent_id=None, gift_wrapping=None)
    return {
        "physical_items": physical,
        "digital_items": [],
        "gift_certificates": [],
        "custom_items": [],
    }


def coupons(c: Cart, totals: Totals, *, for_checkout: bool) -> list[dict[str, Any]]:
    # carts.v3.yml types coupon ids as strings and coupon_type as "0".."5"; checkouts.v3.yml
    # as integers and type names ("percentage_discount").
    out: list[dict[str, Any]] = []
    for coupon, saved in coupon_savings(c, totals):
        out.append(
            {
                "id": coupon.id if for_checkout else str(coupon.id),
                "code": coupon.code,
                "coupon_type": coupon.kind.type_name if for_checkout else coupon.kind.number,
                "display_name": coupon.display_name,
                "discounted_amount": as_number(saved),
            }
        )
    return out


def cart(
    c: Cart, *, redirect_urls: dict[str, str] | None = None, for_checkout: bool = False
) -> dict[str, Any]:
    totals = cart_totals(c)
    out: dict[str, Any] = {
        "id": c.id,
        "customer_id": c.customer_id,
        "channel_id": c.channel_id,
        "email": c.email,
        "currency": {"code": catalog.CURRENCY},
        "tax_included": False,
        "base_amount": as_number(totals.subtotal_ex_tax),
        "discount_amount": 0,
        "manual_discount_amount": 0,
        "cart_amount": as_number(totals.subtotal_ex_tax - totals.coupon_discount),
        "coupons": coupons(c, totals, for_checkout=for_checkout),
        "discounts": [],
        "line_items": line_items(c, for_checkout=for_checkout),
        "created_time": iso(c.created),
        "updated_time": iso(c.updated),
        "locale": c.locale,
        "version": c.version,
    }
    if redirect_urls is not None:
        out["redirect_urls"] = redirect_urls
    return out


def consignment(
    con: Consignment, totals: Totals, codes: list[str], *, with_options: bool
) -> dict[str, Any]:
    addr = address(con.address)
    charge = next(s for s in totals.shipments if s.consignment_id == con.id)
    saved = [
        {"code": coupon.code, "amount": as_number(charge.discount)}
        for coupon in promotions.applied(codes)
        if coupon.kind is promotions.CouponKind.FREE_SHIPPING and charge.discount
    ]
    out: dict[str, Any] = {
        "id": con.id,
        "shipping_cost_inc_tax": as_number(charge.cost_ex_tax + charge.tax),
        "shipping_cost_ex_tax": as_number(charge.cost_ex_tax),
        "handling_cost_inc_tax": 0,
        "handling_cost_ex_tax": 0,
        "coupon_discounts": saved,
        "discounts": [],
        "line_item_ids": list(con.line_item_ids),
        # Live responses carry both; `shipping_address` is the deprecated name.
        "shipping_address": addr,
        "address": addr,
    }
    if con.selected_option is not None:
        out["selected_shipping_option"] = shipping_option(con.selected_option)
    if with_options:
        options = catalog.shipping_options_for(con.address.fields.get("country_code", ""))
        out["available_shipping_options"] = [shipping_option(o) for o in options]
    return out


def checkout(c: Cart, *, with_options: bool = False) -> dict[str, Any]:
    totals = cart_totals(c)
    cart_body = cart(c, for_checkout=True)
    cart_body.pop("cart_amount")
    cart_body.pop("version")
    items_after_coupons = totals.subtotal_ex_tax - totals.coupon_discount
    cart_body["cart_amount_inc_tax"] = as_number(items_after_coupons + totals.subtotal_tax)
    cart_body["cart_amount_ex_tax"] = as_number(items_after_coupons)
    taxes = [{"name": name, "amount": as_number(amount)} for name, amount in totals.taxes]
    out: dict[str, Any] = {
        "id": c.id,
        "cart": cart_body,
        "billing_address": address(c.billing_address) if c.billing_address else {},
        "consignments": [
            consignment(x, totals, c.coupon_codes, with_options=with_options)
            for x in c.consignments
        ],
        "taxes": taxes,
        "coupons": coupons(c, totals, for_checkout=True),
        "fees": [],
        "order_id": str(c.order_id) if c.order_id is not None else None,
        "shipping_cost_total_inc_tax": as_number(totals.shipping_inc_tax),
        "shipping_cost_total_ex_tax": as_number(totals.shipping_ex_tax),
        "handling_cost_total_inc_tax": 0,
        "handling_cost_total_ex_tax": 0,
        "tax_total": as_number(totals.tax_total),
        "subtotal_inc_tax": as_number(totals.subtotal_inc_tax),
        "subtotal_ex_tax": as_number(totals.subtotal_ex_tax),
        "grand_total": as_number(totals.grand_total),
        "created_time": iso(c.created),
        "updated_time": iso(c.updated),
        "customer_message": c.customer_message,
        "promotions": [],
        "version": c.version,
    }
    return out


STATUS_NAMES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}


def order_v2(o: Order, api_base: str) -> dict[str, Any]:
    t = o.totals
    s = as_v2_string
    zero = s(t.subtotal_ex_tax * 0)
    b = o.billing_address

    def link(name: str) -> dict[str, str]:
        resource = f"/orders/{o.id}/{name}"
        return {"url": f"{api_base}/v2{resource}", "resource": resource}

    return {
        "id": o.id,
        "customer_id": o.customer_id,
        "date_created": rfc2822(o.created),
        "date_modified": rfc2822(o.modified),
        "date_shipped": "",
        "status_id": o.status_id,
        "status": STATUS_NAMES.get(o.status_id, ""),
        "custom_status": STATUS_NAMES.get(o.status_id, ""),
        "subtotal_ex_tax": s(t.subtotal_ex_tax),
        "subtotal_inc_tax": s(t.subtotal_inc_tax),
        "subtotal_tax": s(t.subtotal_tax),
        "base_shipping_cost": s(t.shipping_ex_tax),
        "shipping_cost_ex_tax": s(t.shipping_ex_tax),
        "shipping_cost_inc_tax": s(t.shipping_inc_tax),
        "shipping_cost_tax": s(t.shipping_tax),
        "shipping_cost_tax_class_id": 0,
        "base_handling_cost": zero,
        "handling_cost_ex_tax": zero,
        "handling_cost_inc_tax": zero,
        "handling_cost_tax": zero,
        "handling_cost_tax_class_id": 0,
        "base_wrapping_cost": zero,
        "wrapping_cost_ex_tax": zero,
        "wrapping_cost_inc_tax": zero,
        "wrapping_cost_tax": zero,
        "wrapping_cost_tax_class_id": 0,
        "total_ex_tax": s(t.total_ex_tax),
        "total_inc_tax": s(t.grand_total),
        "total_tax": s(t.tax_total),
        "is_tax_inclusive_pricing": False,
        "items_total": o.items_total,
        "items_shipped": 0,
        "payment_method": o.payment_method,
        "payment_provider_id": "",
        "payment_status": o.payment_status,
        "refunded_amount": zero,
        "order_is_digital": False,
        "store_credit_amount": zero,
        "gift_certificate_amount": zero,
        "ip_address": "",
        "ip_address_v6": "",
        "geoip_country": "",
        "geoip_country_iso2": "",
        "currency_id": 1,
        "currency_code": catalog.CURRENCY,
        "currency_exchange_rate": "1.0000000000",
        "default_currency_id": 1,
        "default_currency_code": catalog.CURRENCY,
        "store_default_currency_code": catalog.CURRENCY,
        "store_default_to_transactional_exchange_rate": "1.0000000000",
        "staff_notes": "",
        "customer_message": o.customer_message,
        "discount_amount": zero,
        "coupon_discount": s(t.coupon_discount),
        "shipping_address_count": len(o.shipping_addresses) or 1,
        "is_deleted": False,
        "ebay_order_id": "0",
        "cart_id": o.cart_id,
        "billing_address": {
            "first_name": b.get("first_name", ""),
            "last_name": b.get("last_name", ""),
            "company": b.get("company", ""),
            "street_1": b.get("address1", ""),
            "street_2": b.get("address2", ""),
            "city": b.get("city", ""),
            "state": b.get("state_or_province", ""),
            "zip": b.get("postal_code", ""),
            "country": catalog.COUNTRIES.get(b.get("country_code", ""), ""),
            "country_iso2": b.get("country_code", ""),
            "phone": b.get("phone", ""),
            "email": b.get("email", ""),
            "form_fields": [],
        },
        "is_email_opt_in": False,
        "credit_card_type": o.credit_card_type,
        "order_source": "checkout_api",
        "channel_id": o.channel_id,
        "external_source": None,
        "products": link("products"),
        "shipping_addresses": link("shippingaddresses"),
        "coupons": link("coupons"),
        "external_id": None,
        "external_merchant_id": None,
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": "en",
        "external_order_id": "",
        "fees": [],
    }


def transaction(t: Transaction) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": t.id,
        "order_id": str(t.order_id),
        "event": t.event,
        "method": t.method,
        "amount": as_number(t.amount),
        "currency": t.currency,
        "gateway": t.gateway,
        "gateway_transaction_id": f"sandbox-{t.id}",
        "payment_method_id": t.payment_method_id,
        "status": "ok",
        "test": True,
        "fraud_review": False,
        "date_created": iso(t.created),
        "avs_result": {"code": "M", "message": "Street address and postal code match"},
        "cvv_result": {"code": "M", "message": "CVV matches"},
        "offline": None,
        "custom": None,
        "payment_instrument_token": None,
        "provider_instrument_token": None,
        "provider_customer_id": None,
        "gift_certificate": None,
        "store_credit": None,
        "custom_provider_field_result": None,
    }
    if t.credit_card is not None:
        out["credit_card"] = t.credit_card
    return out


def stored_instrument(i: StoredInstrument) -> dict[str, Any]:
    if i.type == "stored_paypal_account":
        return {"type": i.type, "token": i.token, "email": i.email, "is_default": i.is_default}
    return {
        "type": i.type,
        "token": i.token,
        "brand": i.brand,
        "expiry_month": i.expiry_month,
        "expiry_year": i.expiry_year,
        "issuer_identification_number": i.iin,
        "last_4": i.last_4,
        "is_default": i.is_default,
    }
