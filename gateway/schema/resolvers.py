"""Query and mutation resolvers: each a few lines that call the domain."""

from __future__ import annotations

from typing import Any, TypeVar, cast

import strawberry

from gateway.schema.context import Info
from gateway.schema.inputs import (
    AddBillingAddressInput,
    AddConsignmentInput,
    CreateCartInput,
    CreateOrderInput,
    PayWithCardInput,
    PayWithStoredCardInput,
    SelectShippingOptionInput,
)
from gateway.schema.payloads import (
    CheckoutPayload,
    CreateCartPayload,
    CreateOrderPayload,
    PaymentPayload,
    attempt,
)
from gateway.schema.root_reads import read_checkout, read_order, read_payment_methods
from gateway.schema.types import Checkout, Order, PaymentMethod

T = TypeVar("T")


@strawberry.type
class Query:
    # What these resolvers do, graphql-core runs directly (gateway.schema.root_reads).
    @strawberry.field(description="A checkout by its id (the cart id).")
    async def checkout(self, info: Info, id: strawberry.ID) -> Checkout | None:
        return cast(Checkout, await read_checkout(info.context, str(id)))

    @strawberry.field(description="An order by its opaque id.")
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        return cast(Order, await read_order(info.context, str(id)))

    @strawberry.field(description="What the shopper may pay the order with (cached briefly).")
    async def payment_methods(
        self, info: Info, order_id: strawberry.ID
    ) -> list[PaymentMethod] | None:
        return cast(list[PaymentMethod], await read_payment_methods(info.context, str(order_id)))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="A cart, with its redirect URLs: the signed-in shopper's, else a guest's."
    )
    async def create_cart(self, info: Info, input: CreateCartInput) -> CreateCartPayload:
        work = info.context.checkout.create_cart(
            [line.to_domain() for line in input.line_items],
            info.context.shopper,
            input.currency_code,
            input.channel_id,
        )
        result, errors, _ = await attempt(work)
        cart, urls = result if result is not None else (None, None)
        return CreateCartPayload(cart=cast(Any, cart), redirect_urls=cast(Any, urls), errors=errors)

    @strawberry.mutation(description="Step 1: the billing address turns the cart into a checkout.")
    async def add_billing_address(
        self, info: Info, input: AddBillingAddressInput
    ) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.checkout.add_billing_address(
                str(input.checkout_id),
                input.address.to_domain(),
                input.version,
                info.context.shopper,
            )
        )

    @strawberry.mutation(description="Step 2a: a shipping address and its line items.")
    async def add_consignment(self, info: Info, input: AddConsignmentInput) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.checkout.add_consignment(
                str(input.checkout_id),
                input.address.to_domain(),
                [line.to_domain() for line in input.line_items],
                input.version,
                info.context.shopper,
            )
        )

    @strawberry.mutation(description="Step 2b: the shipping option of a consignment.")
    async def select_shipping_option(
        self, info: Info, input: SelectShippingOptionInput
    ) -> CheckoutPayload:
        return await CheckoutPayload.of(
            info.context.checkout.select_shipping_option(
                str(input.checkout_id),
                str(input.consignment_id),
                str(input.shipping_option_id),
                input.version,
                info.context.shopper,
            )
        )

    @strawberry.mutation(description="Step 3: the order, Incomplete until paid.")
    async def create_order(self, info: Info, input: CreateOrderInput) -> CreateOrderPayload:
        order, errors, _ = await attempt(
            info.context.checkout.create_order(
                str(input.checkout_id),
                input.idempotency_key,
                info.context.client_key,
                info.context.shopper,
            )
        )
        return CreateOrderPayload(order=cast(Any, order), errors=errors)

    @strawberry.mutation(description="Step 5a: pay with an instrument the shopper saved.")
    async def pay_with_stored_card(
        self, info: Info, input: PayWithStoredCardInput
    ) -> PaymentPayload:
        return await PaymentPayload.of(
            info.context.payments.pay_with_stored_card(
                str(input.order_id),
                input.payment_method_id,
                input.token,
                input.verification_value,
                input.idempotency_key,
                info.context.client_key,
                info.context.shopper,
            )
        )

    @strawberry.mutation(description="Step 5b: pay with a new card.")
    async def pay_with_card(self, info: Info, input: PayWithCardInput) -> PaymentPayload:
        return await PaymentPayload.of(
            info.context.payments.pay_with_card(
                str(input.order_id),
                input.payment_method_id,
                input.card.to_domain(),
                input.save_instrument,
                input.idempotency_key,
                info.context.client_key,
                info.context.shopper,
            )
        )
