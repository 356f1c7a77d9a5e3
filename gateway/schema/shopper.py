"""Shopper identity in the schema: ``signIn``, ``signOut``, ``Query.shopper`` (CONTRACT §1a).

The shopper comes only from the request's verified ``X-Shopper-Token`` (the HTTP
layer puts it in the context); these resolvers call ``domain.shoppers`` and shape
the answer. A successful ``signIn`` also sends the token in the ``X-Shopper-Token``
response header.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, cast

import strawberry

from gateway.domain.identity import SHOPPER_TOKEN_HEADER
from gateway.schema.context import Info
from gateway.schema.order_history import OrderConnection, orders_of
from gateway.schema.payloads import attempt
from gateway.schema.query_errors import answer
from gateway.schema.root_reads import read_shopper
from gateway.schema.types import StoredInstrument, UserError


@strawberry.type(description="The signed-in shopper: a BigCommerce customer.")
class Shopper:
    customer_id: int
    email: str
    first_name: str | None
    last_name: str | None

    @strawberry.field(
        description="With orderId: the instruments usable for that order (the shopper's own "
        "order; another's is NOT_FOUND), each with its paymentMethodId. Without: the wallet."
    )
    async def stored_instruments(
        self, info: Info, order_id: strawberry.ID | None = None
    ) -> list[StoredInstrument]:
        context = info.context
        if order_id is None:
            work = context.shopper_flows().wallet(context.shopper)
        else:
            work = context.payments.stored_instruments(str(order_id), context.shopper)
        return cast(list[StoredInstrument], await answer(work))

    @strawberry.field(
        description="The shopper's orders, newest first: at most `first` (1 to 50, default 10) "
        "after the `after` cursor."
    )
    async def orders(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> OrderConnection:
        # Whose orders: the verified token's customer, never a value from the request.
        shopper = info.context.shopper
        assert shopper is not None, "a Shopper is only shown to its own signed-in shopper"
        return await orders_of(info, shopper.customer_id, first, after)


@strawberry.input
class SignInInput:
    email: str
    password: str
    cart_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A guest cart to make the shopper's (others are left as they are).",
    )


@strawberry.type
class SignInPayload:
    shopper: Shopper | None
    token: str | None = strawberry.field(
        description="Send it back in the X-Shopper-Token header (it is also in that header)."
    )
    expires_at: str | None = strawberry.field(description="When the token expires (ISO 8601).")
    cart_assigned: bool = strawberry.field(
        description="Whether the cartId's cart is now the shopper's."
    )
    errors: list[UserError]


@strawberry.type
class SignOutPayload:
    signed_out: bool = strawberry.field(description="Whether a token was revoked.")
    errors: list[UserError]


@strawberry.type
class ShopperQuery:
    @strawberry.field(
        description="The signed-in shopper, or null for a guest.", graphql_type=Shopper | None
    )
    def shopper(self, info: Info) -> Awaitable[Shopper | None] | None:
        # What graphql-core runs directly (gateway.schema.root_reads).
        return read_shopper(info.context)


@strawberry.type
class ShopperMutation:
    @strawberry.mutation(description="Sign a shopper in with their store account.")
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        context = info.context
        cart_id = str(input.cart_id) if input.cart_id is not None else None
        work = context.shopper_flows().sign_in(
            input.email, input.password, context.client_address, cart_id
        )
        result, errors, _ = await attempt(work)
        if result is None:
            return SignInPayload(
                shopper=None, token=None, expires_at=None, cart_assigned=False, errors=errors
            )
        identity = result.issued.identity
        context.shopper = identity  # the rest of this request is the shopper's
        context.response_headers[SHOPPER_TOKEN_HEADER] = result.issued.token
        context.response_headers["Cache-Control"] = "no-store"  # a credential: never cached
        return SignInPayload(
            shopper=cast(Any, result.shopper),
            token=result.issued.token,
            expires_at=identity.expires_at_iso,
            cart_assigned=result.cart_assigned,
            errors=[],
        )

    @strawberry.mutation(description="Revoke the request's shopper token (on every replica).")
    async def sign_out(self, info: Info) -> SignOutPayload:
        context = info.context
        signed_out, errors, _ = await attempt(context.shopper_flows().sign_out(context.shopper))
        return SignOutPayload(signed_out=bool(signed_out), errors=errors)
