"""Paying an order: check the input, mint a PAT, charge once, read the order back.

BigCommerce's payment call has no idempotency key and a PAT is single use, so
a payment whose outcome is unknown (timeout, dropped connection, 5xx, an
unreadable body, or 30105 duplicate) is never sent again: the order's status
says what happened.

A payment once sent is not cut at the request's deadline: it runs to its own
timeout in a task that holds the order's lock (and its key's lease) until it has
recorded its outcome, while the client is answered from the order at the
deadline. No other payment for the order is sent meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from gateway import deadline
from gateway.domain import validation as check
from gateway.domain.idempotency import Idempotency, raise_recorded
from gateway.domain.identity import (
    GUEST_CUSTOMER_ID,
    ShopperIdentity,
    ensure_reachable,
    not_found,
    shopper_scope,
)
from gateway.domain.models import (
    Order,
    OrderError,
    PaymentMethod,
    PaymentResult,
    StoredCard,
    StoredInstrument,
)
from gateway.domain.order_ids import OrderIdCodec
from gateway.domain.ownership import Owners
from gateway.domain.ports import (
    Instrument,
    NullObserver,
    Observer,
    PaymentMethodsCache,
    PaymentProcessor,
    StoredChoice,
)
from gateway.errors import Effect, ErrorCode, GatewayError
from gateway.settings import PAYMENT_READ_BACK_S, Timeouts

ORDER_ID_PATH = ["order_id"]
log = logging.getLogger("gateway.payments")
TAKEN_EVENTS = frozenset({"purchase", "authorization", "capture"})
MIN_SEND_S = 0.1  # a payment is not sent with less of the request's deadline left
PAYMENT_BUSY = "Another payment for this order is in progress; read the order before paying again."
# The payments counter's outcomes for the codes an operator watches most; others: the code.
PAYMENT_OUTCOMES = {
    ErrorCode.PAYMENT_DECLINED: "declined",
    ErrorCode.PAYMENT_OUTCOME_UNKNOWN: "outcome_unknown",
}


class PaymentFlows:
    def __init__(
        self,
        client: PaymentProcessor,
        codec: OrderIdCodec,
        idempotency: Idempotency,
        methods: PaymentMethodsCache,
        owners: Owners,
        observer: Observer | None = None,
        in_flight_s: float = Timeouts.payment + PAYMENT_READ_BACK_S,
    ) -> None:
        self._client = client
        # How long a payment already sent may still run (its own timeout and the read-back),
        # even past the request's deadline: the order's lock is held that long.
        self._in_flight_s = in_flight_s
        self._settling: set[asyncio.Future[PaymentResult]] = set()
        self._codec = codec
        self._idempotency = idempotency
        self._methods = methods
        self._observer = observer or NullObserver()
        # Method ids the store offered: the only ones used as metric labels (clients send any).
        self._offered: set[str] = set()
        # Order number -> its customer id, remembered from every order answer (createOrder's
        # included): reachability without reading the order again. An order's customer is set
        # when it is made; the gateway never changes it.
        self._owners = owners

    async def payment_methods(
        self, order_id: str, shopper: ShopperIdentity | None = None
    ) -> list[PaymentMethod]:
        """The order's accepted methods (the same for every shopper, so they may be cached),
        once the order is known to be reachable by ``shopper``."""
        number = self._codec.decode(order_id)
        await self._reachable_owner(number, shopper, None)
        return await self._methods_for(number)

    async def stored_instruments(
        self, order_id: str, shopper: ShopperIdentity | None
    ) -> list[StoredInstrument]:
        """The shopper's instruments usable for their order, each with its payment method.

        Never cached. A guest order has none, even for a signed-in shopper: an instrument
        pays only its own customer's orders (BigCommerce refuses others anyway).
        """
        number = self._codec.decode(order_id)
        if await self._reachable_owner(number, shopper, None) == GUEST_CUSTOMER_ID:
            return []
        return await self._client.order_stored_instruments(number)

    async def _reachable_owner(
        self, number: int, shopper: ShopperIdentity | None, field: Sequence[str] | None
    ) -> int:
        """The order's customer id, once ``shopper`` may reach it: the remembered owner, else
        read; NOT_FOUND (as an unknown id) before any payment access token is minted or
        anything is sent to the payments host."""
        owner = await self._owners.of_order(number)
        if owner is None:
            return (await self._reachable_order(number, shopper, field)).customer_id
        ensure_reachable(owner, shopper, field)
        return owner

    async def _reachable_order(
        self, number: int, shopper: ShopperIdentity | None, field: Sequence[str] | None
    ) -> Order:
        """The order if ``shopper`` may reach it; NOT_FOUND (as an unknown id) before any
        payment access token is minted or anything is sent to the payments host."""
        try:
            order = await self._client.get_order(number)
        except GatewayError as exc:
            if exc.code is ErrorCode.NOT_FOUND:
                raise not_found(field) from None
            raise
        await self._owners.saw_order(order)
        ensure_reachable(order.customer_id, shopper, field)
        return order

    async def _methods_for(self, number: int) -> list[PaymentMethod]:
        methods, cached = await self._methods.get(
            self._client.store_hash, number, lambda: self._client.get_payment_methods(number)
        )
        self._observer.cache_lookup("payment_methods", cached)  # whichever backend serves
        return methods

    async def pay_with_card(
        self,
        order_id: str,
        payment_method_id: str,
        card: check.CardDetails,
        save_instrument: bool = False,
        idempotency_key: str | None = None,
        client_key: str | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> PaymentResult:
        problems = check.Problems()
        check.check_card(card, problems, ["card"])
        check.check_text(payment_method_id, problems, ["payment_method_id"], required=True)
        check.check_idempotency_key(idempotency_key, problems)
        number = self._decode(order_id, problems)
        problems.raise_any()
        digits = card.digits
        fingerprint = [
            "payWithCard", number, payment_method_id, digits, card.cardholder_name.strip(),
            card.expiry_month, card.expiry_year, card.verification_value, save_instrument,
        ]  # fmt: skip

        def instrument_for(method: PaymentMethod) -> Instrument:
            brand = check.card_brand(digits)
            offered = {i.instrument_type for i in method.supported_instruments}
            if method.type != "card" or (brand != "CARD" and offered and brand not in offered):
                raise GatewayError(
                    ErrorCode.PAYMENT_METHOD_NOT_ACCEPTED,
                    "This payment method does not take this card.",
                    ["payment_method_id"],
                )
            return card

        def charge(owner: int, sending: asyncio.Event) -> Awaitable[PaymentResult]:
            return self._charge(number, payment_method_id, instrument_for, save_instrument, sending)

        return await self._once(
            "payWithCard", idempotency_key, (client_key, shopper), fingerprint, charge, number,
            payment_method_id,
        )  # fmt: skip

    async def pay_with_stored_card(
        self,
        order_id: str,
        payment_method_id: str,
        token: str,
        verification_value: str | None = None,
        idempotency_key: str | None = None,
        client_key: str | None = None,
        shopper: ShopperIdentity | None = None,
    ) -> PaymentResult:
        problems = check.Problems()
        check.check_text(payment_method_id, problems, ["payment_method_id"], required=True)
        check.check_text(token, problems, ["token"], required=True)
        if verification_value is not None:
            check.check_cvv(verification_value, problems, ["verification_value"], amex=None)
        check.check_idempotency_key(idempotency_key, problems)
        number = self._decode(order_id, problems)
        problems.raise_any()
        fingerprint = ["payWithStoredCard", number, payment_method_id, token, verification_value]

        def instrument_for(stored: StoredInstrument, method: PaymentMethod) -> Instrument:
            if isinstance(stored, StoredCard):
                required = any(
                    i.instrument_type == "STORED_CARD" and i.verification_value_required
                    for i in method.supported_instruments
                )
                if verification_value is None and required:
                    raise GatewayError(
                        ErrorCode.VALIDATION,
                        "The verification value is required for this stored card.",
                        ["verification_value"],
                    )
            cvv = verification_value if isinstance(stored, StoredCard) else None
            return StoredChoice(stored, cvv)

        async def charge(owner: int, sending: asyncio.Event) -> PaymentResult:
            # The instrument first: one that is not the order's customer's mints no PAT.
            stored = await self._usable_instrument(owner, number, payment_method_id, token)
            return await self._charge(
                number,
                payment_method_id,
                lambda method: instrument_for(stored, method),
                None,
                sending,
            )

        caller = (client_key, shopper)
        return await self._once(
            "payWithStoredCard", idempotency_key, caller, fingerprint, charge, number,
            payment_method_id,
        )  # fmt: skip

    async def _usable_instrument(
        self, owner: int, number: int, payment_method_id: str, token: str
    ) -> StoredInstrument:
        """The order's customer's instrument with this token, for this method; a guest order
        (whoever pays it) and anyone else's token get STORED_INSTRUMENT_NOT_FOUND."""
        usable = []
        if owner != GUEST_CUSTOMER_ID:
            usable = await self._client.order_stored_instruments(number)
        for stored in usable:
            if stored.token == token and stored.payment_method_id == payment_method_id:
                return stored
        raise GatewayError(
            ErrorCode.STORED_INSTRUMENT_NOT_FOUND,
            "No stored instrument with this token belongs to the order's shopper.",
            ["token"],
        )

    def _decode(self, order_id: str, problems: check.Problems) -> int:
        try:
            return self._codec.decode(order_id, ORDER_ID_PATH)
        except GatewayError as exc:
            problems.errors.insert(0, exc)
            return 0

    async def _accepted(self, number: int, payment_method_id: str) -> PaymentMethod:
        for method in await self._methods_for(number):
            if method.id == payment_method_id:
                self._offered.add(method.id)
                return method
        raise GatewayError(
            ErrorCode.PAYMENT_METHOD_NOT_ACCEPTED,
            "This payment method is not accepted for the order.",
            ["payment_method_id"],
        )

    async def _once(
        self,
        mutation: str,
        idempotency_key: str | None,
        caller: tuple[str | None, ShopperIdentity | None],
        fingerprint: list[Any],
        charge: Callable[[int, asyncio.Event], Awaitable[PaymentResult]],
        number: int,
        payment_method_id: str,
    ) -> PaymentResult:
        client_key, shopper = caller
        sending = asyncio.Event()  # set when the payment is about to go to the payments host

        async def one_at_a_time() -> PaymentResult:
            # Another's order is NOT_FOUND before any lock, PAT or charge. A replay skips this
            # check: its key is scoped to the shopper who made the record (no upstream call).
            owner = await self._reachable_owner(number, shopper, ORDER_ID_PATH)
            # One payment per order at a time, keys or not: a double click sends two.
            name = f"pay|{self._client.store_hash}|{number}"
            async with self._idempotency.exclusive(name, PAYMENT_BUSY):
                return await self._observed(payment_method_id, charge(owner, sending))

        async def settle() -> PaymentResult:
            if idempotency_key is None:
                return await one_at_a_time()
            scope = shopper_scope(shopper)
            key = self._idempotency.key(client_key, mutation, idempotency_key, scope)

            async def run() -> dict[str, Any]:
                return (await one_at_a_time()).to_dict()

            record = await self._idempotency.run(
                key, self._idempotency.fingerprint(fingerprint), run
            )
            try:
                return PaymentResult.from_dict(raise_recorded(record))
            except GatewayError as exc:
                if exc.code is not ErrorCode.PAYMENT_OUTCOME_UNKNOWN:
                    raise
                # The first attempt's outcome was unknown: the order may have moved since.
                return await self._reconcile(number)

        # The order's lock and the key's record are held by a task of their own: a payment
        # sent runs to its own timeout and records its outcome even after the client's answer
        # went at the deadline, so no other payment for the order starts meanwhile.
        settling = asyncio.ensure_future(settle())
        self._settling.add(settling)
        settling.add_done_callback(self._settled)
        return await self._answer(settling, sending, number)

    async def _answer(
        self, settling: asyncio.Future[PaymentResult], sending: asyncio.Event, number: int
    ) -> PaymentResult:
        """The payment's result, or at the deadline the order's state while it is in flight.

        Waiting never cancels ``settling`` (``asyncio.wait`` does not): a cancelled request
        leaves the payment to finish and record itself.
        """
        sent: asyncio.Future[Any] = asyncio.ensure_future(sending.wait())
        try:
            # Until the payment is sent, every step has the request's deadline and its own error.
            await asyncio.wait([settling, sent], return_when=asyncio.FIRST_COMPLETED)
        finally:
            sent.cancel()
        if not settling.done():
            left = deadline.remaining()
            # Keep time to read the order back before the deadline.
            await asyncio.wait(
                {settling}, timeout=max(left - min(PAYMENT_READ_BACK_S, left / 4), 0)
            )
        if settling.done():
            return settling.result()
        return await self._reconcile(number)

    def _settled(self, settling: asyncio.Future[PaymentResult]) -> None:
        self._settling.discard(settling)
        _consume(settling)

    async def settle_in_flight(self) -> None:
        """Wait for payments still in flight (at shutdown, before the client closes); each is
        bounded: its request's deadline until sent, then ``in_flight_s``."""
        if self._settling:
            await asyncio.wait(set(self._settling))

    async def _observed(
        self, payment_method_id: str, charging: Awaitable[PaymentResult]
    ) -> PaymentResult:
        """Report each charge's outcome once (an idempotent replay does not charge again)."""
        try:
            result = await charging
        except GatewayError as exc:
            outcome = PAYMENT_OUTCOMES.get(exc.code, exc.code.value.lower())
            self._observer.payment_finished(self._method_label(payment_method_id), outcome)
            raise
        self._observer.payment_finished(self._method_label(payment_method_id), "approved")
        return result

    def _method_label(self, payment_method_id: str) -> str:
        return payment_method_id if payment_method_id in self._offered else "other"

    async def _charge(
        self,
        number: int,
        payment_method_id: str,
        instrument_for: Callable[[PaymentMethod], Instrument],
        save_instrument: bool | None,
        sending: asyncio.Event,
    ) -> PaymentResult:
        # The accepted methods (usually cached) and the PAT do not depend on each other:
        # both are asked for at once. A PAT left unused when the method is refused is harmless.
        minting = asyncio.ensure_future(self._client.create_payment_access_token(number))
        minting.add_done_callback(_consume)
        try:
            instrument = instrument_for(await self._accepted(number, payment_method_id))
            access_token = await minting
        except BaseException:
            minting.cancel()
            raise
        if deadline.remaining() <= MIN_SEND_S:
            # No time left to answer about it: a payment not sent may simply be retried.
            raise GatewayError(
                ErrorCode.UPSTREAM_UNAVAILABLE,
                "The store is not reachable right now; retry shortly.",
            )
        sending.set()
        # Sent, it runs to its own timeout even past the request's deadline: cut short, its
        # outcome would be unknown while the payments host may still charge.
        with deadline.outliving(self._in_flight_s):
            try:
                payment = await self._client.process_payment(
                    access_token, instrument, payment_method_id, save_instrument
                )
            except GatewayError as exc:
                if exc.effect is Effect.UNKNOWN or exc.code is ErrorCode.DUPLICATE_TRANSACTION:
                    return await self._reconcile(number)
                raise
            finally:
                del instrument  # the card goes no further than the call
            await self._forget_methods(number)
            try:
                order = await self._client.get_order(number)
            except GatewayError:
                order = None  # charged: the answer is success even if the read-back failed
            except Exception:
                log.exception("order read-back after a successful payment failed")
                order = None
        return PaymentResult(payment=payment, order=order)

    async def _reconcile(self, number: int) -> PaymentResult:
        """After an unknown outcome: paid if the order left Incomplete, else "do not pay again"."""
        try:
            order = await self._client.get_order(number)
        except GatewayError:
            order = None
        if order is not None and not order.is_incomplete:
            await self._forget_methods(number)
            return PaymentResult(payment=None, order=order)
        message = "The payment's outcome is not known yet."
        if order is not None and await self._has_taken_payment(number):
            # The money was taken; BigCommerce has not moved the order yet.
            message = "The payment was taken; the order is not updated yet."
        raise OrderError(
            ErrorCode.PAYMENT_OUTCOME_UNKNOWN,
            f"{message} Do not pay again: check the order's status shortly.",
            order,
            effect=Effect.UNKNOWN,
        )

    async def _forget_methods(self, number: int) -> None:
        """Drop the paid order's cached methods; best effort, after a charge nothing may fail."""
        try:
            await self._methods.drop(self._client.store_hash, number)
        except Exception:
            log.exception("payment-method cache entry not dropped")

    async def _has_taken_payment(self, number: int) -> bool:
        """Whether the order's transactions show a successful charge or authorization."""
        try:
            transactions = await self._client.get_transactions(number)
        except GatewayError:
            return False
        return any(t.status == "ok" and t.event in TAKEN_EVENTS for t in transactions)


def _consume(task: asyncio.Future[Any]) -> None:
    """Retrieve a finished task's outcome so an unawaited failure is not logged as lost."""
    if not task.cancelled():
        task.exception()
