"""Editing a cart and its checkout after it exists: lines, coupons, consignments, the note.

Every edit reads the checkout first. That one read lets the gateway answer, before it
writes anything: an unknown line, consignment or coupon names the input field at fault
(BigCommerce's 404 would not say which id); a stale ``version`` is ``CONFLICT`` even on
the calls whose BigCommerce endpoint takes no version (deletes); and a customer's checkout
is ``NOT_FOUND`` to anyone but that customer. Where BigCommerce takes the version it is
sent too, so a change between the read and the write is still caught upstream.

A line removed from the cart also leaves its consignment (BigCommerce does this). Removing
the last line deletes the cart, so the checkout is gone: the edit answers ``None``.
"""

from __future__ import annotations

from gateway.domain import validation as check
from gateway.domain.editing_ports import CheckoutEditor
from gateway.domain.identity import ShopperIdentity, ensure_reachable
from gateway.domain.models import Address, CartLine, Checkout, ConsignmentLine, LineItem
from gateway.domain.ownership import Owners
from gateway.errors import ErrorCode, GatewayError

# Checkouts API, Add Coupon to Checkout: "Coupon codes have a 50-character limit."
MAX_COUPON_CODE = 50
# Checkouts API, Update Checkout: the customer message is at most 2000 characters.
MAX_CUSTOMER_MESSAGE = 2000
MAX_LINES_PER_ADD = 100
STALE = "The checkout changed since it was read; read it again and retry."


class CartEditingFlows:
    def __init__(self, client: CheckoutEditor, owners: Owners) -> None:
        self._client = client
        self._owners = owners  # told each owner read here, for the flow's next steps

    async def _read(
        self, checkout_id: str, version: int | None, shopper: ShopperIdentity | None
    ) -> tuple[str, Checkout]:
        """The checkout id as BigCommerce spells it and the checkout, if this shopper may edit
        it at this version. Called after an edit's own input checks, whose errors come first."""
        checkout_id = check.checkout_id_or_not_found(checkout_id)
        try:
            checkout = await self._client.get_checkout(checkout_id)
        except GatewayError as exc:
            if exc.code is ErrorCode.NOT_FOUND:
                raise GatewayError(ErrorCode.NOT_FOUND, exc.message, ["checkout_id"]) from None
            raise
        await self._owners.saw_checkout(checkout)
        ensure_reachable(checkout.cart.customer_id, shopper, ["checkout_id"])
        if version is not None and version != checkout.version:
            raise GatewayError(ErrorCode.CONFLICT, STALE, ["version"])
        return checkout_id, checkout

    async def add_line_items(
        self,
        checkout_id: str,
        lines: list[CartLine],
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        problems = check.Problems()
        if not lines:
            problems.add(["line_items"], "Add at least one line item.")
        if len(lines) > MAX_LINES_PER_ADD:
            problems.add(["line_items"], f"Add at most {MAX_LINES_PER_ADD} line items at once.")
        for index, line in enumerate(lines):
            path = ["line_items", str(index)]
            check.check_positive_id(line.product_id, problems, [*path, "product_id"])
            check.check_positive_id(line.variant_id, problems, [*path, "variant_id"])
            check.check_quantity(line.quantity, problems, [*path, "quantity"])
        problems.raise_any()
        checkout_id, _ = await self._read(checkout_id, version, shopper)
        return await self._client.add_cart_items(checkout_id, lines, version)

    async def update_line_item(
        self,
        checkout_id: str,
        line_item_id: str,
        quantity: int,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout | None:
        """A new quantity for a line; 0 removes it (BigCommerce refuses 0 on its update)."""
        problems = check.Problems()
        check.check_text(line_item_id, problems, ["line_item_id"], required=True)
        if not 0 <= quantity <= check.MAX_QUANTITY:
            problems.add(["quantity"], f"The quantity must be between 0 and {check.MAX_QUANTITY}.")
        problems.raise_any()
        checkout_id, current = await self._read(checkout_id, version, shopper)
        line = _line(current, line_item_id)
        if quantity == 0:
            return await self._client.delete_cart_item(checkout_id, line.id)
        return await self._client.update_cart_item(
            checkout_id, line.id, line.product_id, line.variant_id, quantity, version
        )

    async def remove_line_item(
        self,
        checkout_id: str,
        line_item_id: str,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout | None:
        _required_text(line_item_id, "line_item_id")
        checkout_id, current = await self._read(checkout_id, version, shopper)
        line = _line(current, line_item_id)
        return await self._client.delete_cart_item(checkout_id, line.id)

    async def apply_coupon(
        self,
        checkout_id: str,
        code: str,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        code = _coupon_code(code)
        checkout_id, _ = await self._read(checkout_id, version, shopper)
        return await self._client.add_coupon(checkout_id, code, version)

    async def remove_coupon(
        self,
        checkout_id: str,
        code: str,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        code = _coupon_code(code)
        checkout_id, current = await self._read(checkout_id, version, shopper)
        # Codes match without regard to case, as BigCommerce's do.
        applied = next((c for c in current.coupons if c.code.upper() == code.upper()), None)
        if applied is None:
            raise GatewayError(
                ErrorCode.NOT_FOUND, "This coupon is not applied to the checkout.", ["code"]
            )
        return await self._client.delete_coupon(checkout_id, applied.code)

    async def update_consignment(
        self,
        checkout_id: str,
        consignment_id: str,
        address: Address | None,
        lines: list[ConsignmentLine] | None,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        """A consignment's address and/or lines; BigCommerce drops its selected option."""
        problems = check.Problems()
        check.check_text(consignment_id, problems, ["consignment_id"], required=True)
        if address is None and lines is None:
            problems.add(["address"], "Give an address, line items, or both.")
        if address is not None:
            address = check.check_address(address, problems, ["address"])
        if lines is not None:
            _check_consignment_lines(lines, problems)
        problems.raise_any()
        checkout_id, current = await self._read(checkout_id, version, shopper)
        _consignment_id(current, consignment_id)
        if lines is not None:
            known = {item.id for item in current.cart.line_items}
            for index, line in enumerate(lines):
                if line.item_id not in known:
                    problems.add(
                        ["line_items", str(index), "item_id"],
                        "No line of the cart has this id.",
                        ErrorCode.NOT_FOUND,
                    )
            problems.raise_any()
        return await self._client.change_consignment(
            checkout_id, consignment_id, address, lines, version
        )

    async def remove_consignment(
        self,
        checkout_id: str,
        consignment_id: str,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        _required_text(consignment_id, "consignment_id")
        checkout_id, current = await self._read(checkout_id, version, shopper)
        _consignment_id(current, consignment_id)
        return await self._client.delete_consignment(checkout_id, consignment_id)

    async def set_customer_message(
        self,
        checkout_id: str,
        message: str,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        """The shopper's note for the merchant, shown on the order; "" clears it."""
        problems = check.Problems()
        if len(message) > MAX_CUSTOMER_MESSAGE:
            problems.add(
                ["message"], f"The message must be at most {MAX_CUSTOMER_MESSAGE} characters."
            )
        elif check.CONTROL.search(message):
            # Line breaks and tabs are text in a note; other control characters are not.
            problems.add(["message"], "The message must not contain control characters.")
        problems.raise_any()
        checkout_id, _ = await self._read(checkout_id, version, shopper)
        return await self._client.set_customer_message(checkout_id, message, version)


def _line(checkout: Checkout, line_item_id: str) -> LineItem:
    for line in checkout.cart.line_items:
        if line.id == line_item_id:
            return line
    raise GatewayError(ErrorCode.NOT_FOUND, "No line of the cart has this id.", ["line_item_id"])


def _consignment_id(checkout: Checkout, consignment_id: str) -> None:
    if not any(c.id == consignment_id for c in checkout.consignments):
        raise GatewayError(
            ErrorCode.NOT_FOUND, "No consignment of the checkout has this id.", ["consignment_id"]
        )


def _coupon_code(code: str) -> str:
    _required_text(code, "code", MAX_COUPON_CODE)
    return code.strip()


def _required_text(value: str, field: str, max_length: int = check.MAX_TEXT) -> None:
    """The one input field an edit checks on its own: present, plain text, not too long."""
    problems = check.Problems()
    check.check_text(value, problems, [field], required=True, max_length=max_length)
    problems.raise_any()


def _check_consignment_lines(lines: list[ConsignmentLine], problems: check.Problems) -> None:
    if not lines:
        problems.add(["line_items"], "A consignment needs at least one line item.")
    for index, line in enumerate(lines):
        path = ["line_items", str(index)]
        check.check_text(line.item_id, problems, [*path, "item_id"], required=True)
        check.check_quantity(line.quantity, problems, [*path, "quantity"])
