"""The checkout flow: cart -> billing address -> consignment -> shipping option -> order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.domain import validation as check
from gateway.domain.idempotency import Idempotency, raise_recorded
from gateway.domain.identity import ShopperIdentity, ensure_reachable, not_found, shopper_scope
from gateway.domain.models import (
    Address,
    Cart,
    CartLine,
    Checkout,
    ConsignmentLine,
    Order,
    OrderStatus,
    RedirectUrls,
)
from gateway.domain.order_ids import OrderIdCodec
from gateway.domain.order_readiness import ensure_ready_for_order
from gateway.domain.ownership import Owners
from gateway.domain.ports import Storefront
from gateway.errors import Effect, ErrorCode, GatewayError

CHECKOUT_ID = ("checkout_id",)
Path = Sequence[str] | None
ORDER_BUSY = "An order for this checkout is being created; read the checkout and retry."


class CheckoutFlows:
    def __init__(
        self, client: Storefront, codec: OrderIdCodec, idempotency: Idempotency, owners: Owners
    ) -> None:
        self._client = client
        self._codec = codec
        self._idempotency = idempotency
        self._owners = owners

    async def create_cart(
        self,
        lines: list[CartLine],
        shopper: ShopperIdentity | None = None,
        currency_code: str | None = None,
        channel_id: int | None = None,
    ) -> tuple[Cart, RedirectUrls | None]:
        """A cart for the signed-in shopper (their verified token is the only source), else a
        guest's: no input names the customer."""
        customer_id = shopper.customer_id if shopper is not None else None
        problems = check.Problems()
        if not lines:
            problems.add(["line_items"], "The order needs at least one line item.")
        if len(lines) > 100:
            problems.add(["line_items"], "The order may have at most 100 line items.")
        for index, line in enumerate(lines):
            path = ["line_items", str(index)]
            check.check_positive_id(line.product_id, problems, [*path, "product_id"])
            check.check_positive_id(line.variant_id, problems, [*path, "variant_id"])
            check.check_quantity(line.quantity, problems, [*path, "quantity"])
        check.check_positive_id(channel_id, problems, ["channel_id"])
        check.check_currency(currency_code, problems, ["currency_code"])
        problems.raise_any()
        cart, urls = await self._client.create_cart(lines, customer_id, channel_id, currency_code)
        await self._owners.saw_cart(cart)
        return cart, urls

    async def get_checkout(
        self, checkout_id: str, shopper: ShopperIdentity | None = None, field: Path = None
    ) -> Checkout:
        """The checkout, if ``shopper`` may reach it; else NOT_FOUND as for an unknown id."""
        try:
            checkout = await self._client.get_checkout(check.checkout_id_or_not_found(checkout_id))
        except GatewayError as exc:
            raise _as_unknown(exc, field) from None
        return await self._answered(checkout, shopper, field)

    async def _reach(
        self, checkout_id: str, shopper: ShopperIdentity | None, field: Path = None
    ) -> str:
        """The checkout id as BigCommerce spells it, once ``shopper`` may reach the checkout:
        by its remembered owner, else by reading it (NOT_FOUND as for an unknown id)."""
        try:
            checkout_id = check.checkout_id_or_not_found(checkout_id)
        except GatewayError as exc:
            raise _as_unknown(exc, field) from None
        owner = await self._owners.of_checkout(checkout_id)
        if owner is None:
            return (await self.get_checkout(checkout_id, shopper, field)).id
        ensure_reachable(owner, shopper, field)
        return checkout_id

    async def _answered(
        self, checkout: Checkout, shopper: ShopperIdentity | None, field: Path = CHECKOUT_ID
    ) -> Checkout:
        """Every checkout BigCommerce answers: its owner remembered, and checked again (a
        remembered owner may be stale: the answer is shown only to whom it may reach)."""
        await self._owners.saw_checkout(checkout)
        ensure_reachable(checkout.cart.customer_id, shopper, field)
        return checkout

    async def add_billing_address(
        self,
        checkout_id: str,
        address: Address,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        problems = check.Problems()
        address = check.check_address(address, problems, ["address"])
        problems.raise_any()
        current = await self.get_checkout(checkout_id, shopper, CHECKOUT_ID)
        checkout_id = current.id
        existing = current.billing_address.id if current.billing_address else None
        if existing:
            answer = await self._client.update_billing_address(
                checkout_id, existing, address, version
            )
        else:
            answer = await self._client.add_billing_address(checkout_id, address, version)
        return await self._answered(answer, shopper)

    async def add_consignment(
        self,
        checkout_id: str,
        address: Address,
        lines: list[ConsignmentLine],
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        problems = check.Problems()
        address = check.check_address(address, problems, ["address"])
        if not lines:
            problems.add(["line_items"], "The order needs at least one line item.")
        for index, line in enumerate(lines):
            path = ["line_items", str(index)]
            check.check_text(line.item_id, problems, [*path, "item_id"], required=True)
            check.check_quantity(line.quantity, problems, [*path, "quantity"])
        problems.raise_any()
        checkout_id = await self._reach(checkout_id, shopper, CHECKOUT_ID)
        answer = await self._client.add_consignment(checkout_id, address, lines, version)
        return await self._answered(answer, shopper)

    async def select_shipping_option(
        self,
        checkout_id: str,
        consignment_id: str,
        shipping_option_id: str,
        version: int | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> Checkout:
        problems = check.Problems()
        check.check_text(consignment_id, problems, ["consignment_id"], required=True)
        check.check_text(shipping_option_id, problems, ["shipping_option_id"], required=True)
        problems.raise_any()
        checkout_id = await self._reach(checkout_id, shopper, CHECKOUT_ID)
        answer = await self._client.update_consignment(
            checkout_id, consignment_id, shipping_option_id, version
        )
        return await self._answered(answer, shopper)

    async def create_order(
        self,
        checkout_id: str,
        idempotency_key: str | None,
        client_key: str | None,
        shopper: ShopperIdentity | None = None,
    ) -> Order:
        problems = check.Problems()
        check.check_idempotency_key(idempotency_key, problems)
        problems.raise_any()
        # Reachability before anything else, replays included; from the remembered owner
        # when there is one, so that the read under the lock below is the only read.
        checkout_id = await self._reach(checkout_id, shopper, CHECKOUT_ID)
        if idempotency_key is None:
            return await self._create_order_alone(checkout_id, shopper)
        scope = shopper_scope(shopper)
        key = self._idempotency.key(client_key, "createOrder", idempotency_key, scope)
        fingerprint = self._idempotency.fingerprint(["createOrder", checkout_id])

        async def run() -> dict[str, Any]:
            return (await self._create_order_alone(checkout_id, shopper)).to_dict()

        return Order.from_dict(raise_recorded(await self._idempotency.run(key, fingerprint, run)))

    async def _create_order_alone(self, checkout_id: str, shopper: ShopperIdentity | None) -> Order:
        # Two createOrder calls for one checkout at once: the second finds the first's order.
        name = f"order|{self._client.store_hash}|{checkout_id}"
        async with self._idempotency.exclusive(name, ORDER_BUSY):
            order = await self._create_order(checkout_id, shopper)
        await self._owners.saw_order(order)
        return order

    async def _create_order(self, checkout_id: str, shopper: ShopperIdentity | None) -> Order:
        # Read under the lock, never before it: a checkout read before may predate the order
        # that a concurrent createOrder (a double click) made meanwhile, and BigCommerce would
        # make a second one. The read also checks reachability again, on the current owner.
        checkout = await self._answered(await self._client.get_checkout(checkout_id), shopper)
        reusable = await self._unpaid_order_of(checkout)
        if reusable is not None:
            return reusable
        ensure_ready_for_order(checkout)  # before BigCommerce is asked
        try:
            number = await self._client.create_order(checkout_id)
        except GatewayError as exc:
            if exc.effect is not Effect.UNKNOWN:
                raise
            # The order may exist: BigCommerce records it on the checkout.
            recorded = (await self._client.get_checkout(checkout_id)).order_number
            if recorded is None or recorded == checkout.order_number:
                raise  # no new order on the checkout: the one there is the stale one
            return await self._client.get_order(recorded)
        # BigCommerce creates the order Incomplete, for the checkout's total: it is known
        # without reading it back (one upstream call fewer per order).
        return Order(
            id=self._codec.encode(number),
            number=number,
            status="Incomplete",
            status_id=OrderStatus.INCOMPLETE.value,
            payment_status=None,
            total=checkout.grand_total,
            customer_id=checkout.cart.customer_id,
            cart_id=checkout.id,
        )

    async def _unpaid_order_of(self, checkout: Checkout) -> Order | None:
        """The checkout's earlier order, if still unpaid and for the same total (no duplicate)."""
        if checkout.order_number is None:
            return None
        try:
            order = await self._client.get_order(checkout.order_number)
        except GatewayError as exc:
            if exc.code is ErrorCode.NOT_FOUND:
                return None
            raise
        if order.is_incomplete and order.total.amount == checkout.grand_total.amount:
            return order
        return None

    async def get_order(
        self, order_id: str, shopper: ShopperIdentity | None = None, field: Path = None
    ) -> Order:
        """The order, if ``shopper`` may reach it; else NOT_FOUND as for an unknown id."""
        try:
            order = await self._client.get_order(self._codec.decode(order_id, field))
        except GatewayError as exc:
            raise _as_unknown(exc, field) from None
        await self._owners.saw_order(order)
        ensure_reachable(order.customer_id, shopper, field)
        return order


def _as_unknown(exc: GatewayError, field: Path) -> GatewayError:
    """Any NOT_FOUND (a malformed id, an id BigCommerce does not know) in the very words of
    someone else's resource, so that the two cannot be told apart."""
    return not_found(field) if exc.code is ErrorCode.NOT_FOUND else exc
