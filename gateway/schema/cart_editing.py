"""Mutations that edit a cart and its checkout after it exists (CONTRACT §1c).

Each takes one ``input`` (the checkout id, an optional ``version``, what changes) and
answers ``CheckoutPayload``: the checkout after the edit, or the errors. Removing the
cart's last line deletes the cart at BigCommerce, so that answer is ``checkout: null``
with no error: the edit did what was asked, and the checkout no longer exists.
"""

from __future__ import annotations

import strawberry

from gateway.domain.identity import ShopperIdentity
from gateway.schema.context import Info
from gateway.schema.inputs import AddressInput, CartLineItemInput, ConsignmentLineItemInput
from gateway.schema.payloads import CheckoutPayload

VERSION_HELP = "The checkout version read; a stale one is CONFLICT."


def shopper_of(info: Info) -> ShopperIdentity | None:
    """The verified shopper of the request (None: a guest): a customer's checkout is
    theirs alone to edit."""
    return info.context.shopper


@strawberry.input
class AddCartLineItemsInput:
    checkout_id: strawberry.ID
    line_items: list[CartLineItemInput]
    version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.input
class UpdateCartLineItemInput:
    checkout_id: strawberry.ID
    line_item_id: strawberry.ID
    quantity: int = strawberry.field(description="The new quantity; 0 removes the line.")
    version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.input
class RemoveCartLineItemInput:
    checkout_id: strawberry.ID
    line_item_id: strawberry.ID
    version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.input
class ApplyCouponInput:
    checkout_id: strawberry.ID
    code: str = strawberry.field(description="At most 50 characters; any case.")
    version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.input
class RemoveCouponInput:
    checkout_id: strawberry.ID
    code: str
    version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.input
class UpdateConsignmentInput:
    checkout_id: strawberry.ID
    consignment_id: strawberry.ID
    address: AddressInput | None = None
    line_items: list[ConsignmentLineItemInput] | None = None
    version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.input
class RemoveConsignmentInput:
    checkout_id: strawberry.ID
    consignment_id: strawberry.ID
    version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.input
class SetCustomerMessageInput:
    checkout_id: strawberry.ID
    message: str = strawberry.field(
        description="At most 2000 characters; line breaks and tabs allowed; empty clears it."
    )
    version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.type
class CartEditingMutation:
    @strawberry.mutation(description="Adds lines to the cart (a product already there adds up).")
    async def add_cart_line_items(
        self, info: Info, input: AddCartLineItemsInput
    ) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.editing.add_line_items(
                str(input.checkout_id),
                [line.to_domain() for line in input.line_items],
                input.version,
                shopper_of(info),
            )
        )

    @strawberry.mutation(
        description="A line's new quantity; 0 removes it (the last line: checkout null)."
    )
    async def update_cart_line_item(
        self, info: Info, input: UpdateCartLineItemInput
    ) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.editing.update_line_item(
                str(input.checkout_id),
                str(input.line_item_id),
                input.quantity,
                input.version,
                shopper_of(info),
            )
        )

    @strawberry.mutation(
        description="Removes a line, also from its consignment (the last line: checkout null)."
    )
    async def remove_cart_line_item(
        self, info: Info, input: RemoveCartLineItemInput
    ) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.editing.remove_line_item(
                str(input.checkout_id), str(input.line_item_id), input.version, shopper_of(info)
            )
        )

    @strawberry.mutation(description="Applies a coupon; unknown or expired is COUPON_INVALID.")
    async def apply_coupon(self, info: Info, input: ApplyCouponInput) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.editing.apply_coupon(
                str(input.checkout_id), input.code, input.version, shopper_of(info)
            )
        )

    @strawberry.mutation(description="Removes an applied coupon.")
    async def remove_coupon(self, info: Info, input: RemoveCouponInput) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.editing.remove_coupon(
                str(input.checkout_id), input.code, input.version, shopper_of(info)
            )
        )

    @strawberry.mutation(
        description="A consignment's address and/or lines; its selected option is dropped."
    )
    async def update_consignment(
        self, info: Info, input: UpdateConsignmentInput
    ) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.editing.update_consignment(
                str(input.checkout_id),
                str(input.consignment_id),
                None if input.address is None else input.address.to_domain(),
                None if input.line_items is None else [x.to_domain() for x in input.line_items],
                input.version,
                shopper_of(info),
            )
        )

    @strawberry.mutation(description="Removes a consignment; its lines are shipped nowhere yet.")
    async def remove_consignment(
        self, info: Info, input: RemoveConsignmentInput
    ) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.editing.remove_consignment(
                str(input.checkout_id), str(input.consignment_id), input.version, shopper_of(info)
            )
        )

    @strawberry.mutation(description="The shopper's note for the merchant, shown on the order.")
    async def set_customer_message(
        self, info: Info, input: SetCustomerMessageInput
    ) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.editing.set_customer_message(
                str(input.checkout_id), input.message, input.version, shopper_of(info)
            )
        )
