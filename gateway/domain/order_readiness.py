"""What a checkout still lacks before BigCommerce can make an order of it.

Asked before the order is created, from the checkout already read, so a shopper who
skipped a step hears which one (billing address, a line with nowhere to go, a
consignment with no shipping option) instead of BigCommerce's refusal.
"""

from __future__ import annotations

from gateway.domain.models import Checkout
from gateway.errors import ErrorCode, GatewayError


def missing_for_order(checkout: Checkout) -> str | None:
    """The first missing step, in the order of the flow; None when the checkout is ready."""
    if checkout.billing_address is None or not checkout.billing_address.email:
        return "The checkout has no billing address: add one (addBillingAddress) first."
    shipped = {item_id for c in checkout.consignments for item_id in c.line_item_ids}
    unshipped = [
        line for line in checkout.cart.line_items if line.is_physical and line.id not in shipped
    ]
    if unshipped:
        return (
            "Some physical line items have no shipping address: put each in a consignment "
            "(addConsignment or updateConsignment) first."
        )
    if any(c.selected_shipping_option is None for c in checkout.consignments):
        return (
            "A consignment has no shipping option selected: select one for each "
            "consignment (selectShippingOption) first."
        )
    return None


def ensure_ready_for_order(checkout: Checkout) -> None:
    missing = missing_for_order(checkout)
    if missing is not None:
        raise GatewayError(ErrorCode.VALIDATION, missing, ["checkout_id"])
