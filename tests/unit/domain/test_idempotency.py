"""Idempotency keys over the in-process backend: what a retrying client gets back, and when."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any

import pytest

from gateway import deadline
from gateway.domain.idempotency import Idempotency, raise_recorded
from gateway.domain.identity import shopper_scope
from gateway.domain.models import Money, Order, OrderError
from gateway.domain.ports import Lease, NullObserver
from gateway.errors import Effect, ErrorCode, GatewayError
from gateway.stores.memory import MemoryIdempotencyBackend

ORDER = Order(
    id="ord_x",
    number=7,
    status="Incomplete",
    status_id=0,
    payment_status=None,
    total=Money(Decimal("10.50"), "USD"),
    customer_id=0,
    cart_id="c",
)


class Replays(NullObserver):
    def __init__(self) -> None:
        self.count = 0

    def idempotent_replay(self) -> None:
        self.count += 1


class Counted:
    """An operation that counts its runs and answers, or fails, as told."""

    def __init__(self, answer: Any = None, error: BaseException | None = None) -> None:
        self.runs = 0
        self.answer = answer
        self.error = error
        self.gate: asyncio.Event | None = None

    async def __call__(self) -> dict[str, Any]:
        self.runs += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return {"n": self.runs, "answer": self.answer}


def idempotency(backend: MemoryIdempotencyBackend | None = None) -> tuple[Idempotency, Replays]:
    observer = Replays()
    return Idempotency(backend or MemoryIdempotencyBackend(), b"s" * 32, 60.0, observer), observer


async def test_the_same_key_and_input_run_once_and_answer_alike() -> None:
    keys, replays = idempotency()
    work = Counted("paid")
    key = keys.key("client", "payWithCard", "k1")
    first = await keys.run(key, keys.fingerprint({"a": 1, "b": 2}), work)
    again = await keys.run(key, keys.fingerprint({"b": 2, "a": 1}), work)
    assert first == again == {"ok": {"n": 1, "answer": "paid"}}
    assert work.runs == 1
    assert replays.count == 1


async def test_the_same_key_with_another_input_is_reused() -> None:
    keys, _ = idempotency()
    key = keys.key(None, "payWithCard", "k1")
    await keys.run(key, keys.fingerprint(["card", "4111"]), Counted())
    with pytest.raises(GatewayError) as caught:
        await keys.run(key, keys.fingerprint(["card", "5555"]), Counted())
    assert (caught.value.code, caught.value.field, caught.value.message) == (
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        ("idempotency_key",),
        "This idempotency key was used with a different input.",
    )


def test_keys_are_hashed_per_client_mutation_and_key() -> None:
    keys, _ = idempotency()
    key = keys.key("secret-client", "payWithCard", "k1")
    assert key.startswith("idem:") and "secret-client" not in key and "k1" not in key
    others = {
        keys.key("other", "payWithCard", "k1"),
        keys.key("secret-client", "createOrder", "k1"),
        keys.key("secret-client", "payWithCard", "k2"),
        keys.key(None, "payWithCard", "k1"),
    }
    assert key not in others and len(others) == 4
    assert keys.key(None, "m", "k") == keys.key("", "m", "k")
    assert Idempotency(MemoryIdempotencyBackend(), b"t" * 32, 1).key("c", "m", "k") != keys.key(
        "c", "m", "k"
    )
    assert keys.fingerprint([1]) != keys.key(None, "m", "k")[5:]
    assert keys.fingerprint(["4111111111111111"]).find("4111") == -1


async def test_a_failure_that_did_nothing_keeps_nothing() -> None:
    keys, _ = idempotency()
    key = keys.key(None, "payWithCard", "k1")
    refused = GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "down", effect=Effect.NONE)
    with pytest.raises(GatewayError):
        await keys.run(key, "f", Counted(error=refused))
    work = Counted("paid")
    assert await keys.run(key, "f", work) == {"ok": {"n": 1, "answer": "paid"}}


@pytest.mark.parametrize("effect", [Effect.APPLIED, Effect.UNKNOWN])
async def test_a_failure_that_may_have_acted_is_answered_again(effect: Effect) -> None:
    keys, _ = idempotency()
    key = keys.key(None, "payWithCard", "k1")
    declined = OrderError(
        ErrorCode.PAYMENT_DECLINED,
        "declined",
        ORDER,
        field=["card"],
        extensions={"retryAfterMs": 5},
        effect=effect,
    )
    first = await keys.run(key, "f", Counted(error=declined))
    work = Counted()
    again = await keys.run(key, "f", work)
    assert first == again and work.runs == 0
    with pytest.raises(OrderError) as caught:
        raise_recorded(again)
    error = caught.value
    assert (error.code, error.message, error.field, error.extensions, error.effect) == (
        ErrorCode.PAYMENT_DECLINED,
        "declined",
        ("card",),
        {"retryAfterMs": 5},
        effect,
    )
    assert error.order == ORDER


async def test_a_recorded_error_without_an_order_or_effect() -> None:
    keys, _ = idempotency()
    plain = GatewayError(ErrorCode.CONFLICT, "changed", effect=Effect.APPLIED)
    record = await keys.run("k", "f", Counted(error=plain))
    with pytest.raises(OrderError) as caught:
        raise_recorded(record)
    assert caught.value.order is None and caught.value.effect is Effect.APPLIED
    del record["error"]["effect"]  # records kept before the effect was
    with pytest.raises(OrderError) as old:
        raise_recorded(record)
    assert old.value.effect is Effect.APPLIED
    assert raise_recorded({"ok": 3}) == 3


@pytest.mark.parametrize("error", [RuntimeError("bug"), asyncio.CancelledError()])
async def test_an_unexpected_failure_frees_the_key(error: BaseException) -> None:
    keys, _ = idempotency()
    with pytest.raises(type(error)):
        await keys.run("k", "f", Counted(error=error))
    assert await keys.run("k", "f", Counted("ok")) == {"ok": {"n": 1, "answer": "ok"}}


async def test_a_duplicate_in_flight_waits_for_the_first_answer() -> None:
    keys, replays = idempotency()
    work = Counted("paid")
    work.gate = asyncio.Event()
    first = asyncio.ensure_future(keys.run("k", "f", work))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(keys.run("k", "f", work))
    await asyncio.sleep(0.01)
    assert not second.done()
    work.gate.set()
    assert await first == await second == {"ok": {"n": 1, "answer": "paid"}}
    assert work.runs == 1 and replays.count == 1


async def test_a_duplicate_in_flight_with_another_input_is_reused_at_once() -> None:
    keys, _ = idempotency()
    work = Counted()
    work.gate = asyncio.Event()
    first = asyncio.ensure_future(keys.run("k", "f", work))
    await asyncio.sleep(0)
    with pytest.raises(GatewayError) as caught:
        await keys.run("k", "g", Counted())
    assert caught.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    work.gate.set()
    await first


async def test_a_duplicate_out_of_time_is_told_it_is_in_progress() -> None:
    keys, _ = idempotency()
    work = Counted()
    work.gate = asyncio.Event()
    first = asyncio.ensure_future(keys.run("k", "f", work))
    await asyncio.sleep(0)
    with deadline.deadline_in(0.04), pytest.raises(GatewayError) as caught:
        await keys.run("k", "f", Counted())
    assert (caught.value.code, caught.value.field) == (
        ErrorCode.IDEMPOTENCY_IN_PROGRESS,
        ("idempotency_key",),
    )
    assert caught.value.message == (
        "A request with this idempotency key is still running; retry later."
    )
    with deadline.deadline_in(0.2):  # time enough to wait a little, not for the answer
        waited = asyncio.ensure_future(keys.run("k", "f", Counted()))
        await asyncio.sleep(0.1)
        assert not waited.done()
        work.gate.set()
        assert await waited == await first


class CountedWaits(MemoryIdempotencyBackend):
    """Notes each wait on the shared store (in Redis, a round trip each)."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    async def wait(self, key: str, timeout_s: float) -> None:
        self.waits.append(timeout_s)
        await super().wait(key, timeout_s)


async def test_a_duplicate_whose_first_never_answers_is_told_so_within_its_deadline() -> None:
    backend = CountedWaits()
    keys, _ = idempotency(backend)
    work = Counted()
    work.gate = asyncio.Event()  # the first request never answers while the second waits
    first = asyncio.ensure_future(keys.run("k", "f", work))
    await asyncio.sleep(0)
    with deadline.deadline_in(0.3), pytest.raises(GatewayError) as caught:
        await keys.run("k", "f", Counted())
    assert caught.value.code is ErrorCode.IDEMPOTENCY_IN_PROGRESS
    # One wait on the store for what was left (less a margin to answer): no polling loop.
    assert len(backend.waits) == 1 and 0 < backend.waits[0] <= 0.25
    work.gate.set()
    await first


async def test_exclusive_runs_one_block_at_a_time_and_keeps_nothing() -> None:
    keys, _ = idempotency()
    order: list[str] = []
    gate = asyncio.Event()

    async def block(name: str) -> None:
        async with keys.exclusive("pay|store|7", "busy"):
            order.append(f"{name} in")
            if name == "first":
                await gate.wait()
            order.append(f"{name} out")

    first = asyncio.ensure_future(block("first"))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(block("second"))
    await asyncio.sleep(0.01)
    assert order == ["first in"]
    gate.set()
    await asyncio.gather(first, second)
    assert order == ["first in", "first out", "second in", "second out"]
    async with keys.exclusive("pay|store|7", "busy"):
        pass  # free again: nothing was kept


async def test_exclusive_out_of_time_is_a_conflict_with_the_callers_message() -> None:
    keys, _ = idempotency()
    gate = asyncio.Event()

    async def holder() -> None:
        async with keys.exclusive("pay|store|7", "busy"):
            await gate.wait()

    held = asyncio.ensure_future(holder())
    await asyncio.sleep(0)
    with deadline.deadline_in(0.04), pytest.raises(GatewayError) as caught:
        async with keys.exclusive("pay|store|7", "Another payment is running."):
            pass
    assert (caught.value.code, caught.value.message) == (
        ErrorCode.CONFLICT,
        "Another payment is running.",
    )
    async with keys.exclusive("pay|store|8", "busy"):
        pass  # another order is not held
    gate.set()
    await held


class ForgetfulBackend(MemoryIdempotencyBackend):
    """A backend whose write fails after the work was done (a store outage)."""

    async def finish(
        self, lease: Lease, fingerprint: str, record: dict[str, Any], ttl_s: float
    ) -> None:
        await self.abandon(lease)
        raise ConnectionError("store down")


async def test_an_answer_not_kept_still_reaches_the_client(
    caplog: pytest.LogCaptureFixture,
) -> None:
    keys, _ = idempotency(ForgetfulBackend())
    with caplog.at_level(logging.ERROR, logger="gateway.idempotency"):
        assert await keys.run("k", "f", Counted("paid")) == {"ok": {"n": 1, "answer": "paid"}}
    # The operator is told, with the store's error: a retry with this key would run again.
    assert [(r.getMessage(), r.exc_info is not None) for r in caplog.records] == [
        ("idempotency record not kept", True)
    ]


def test_keys_and_fingerprints_already_stored_stay_valid() -> None:
    # Records live 24 hours in Redis across deploys: a silent change to the derivation
    # would free every key in flight (a retry would pay again). These values are pinned.
    keys, _ = idempotency()
    assert keys.key(None, "payWithCard", "k1") == (
        "idem:f387e74822a9947e2bdc3702216d641f0addb9341d139be5b75170ac13c71a10"
    )
    assert keys.key("client", "payWithCard", "k1") == (
        "idem:fd2d86e2a782b8eb41ba3f37e0b312e5c5a0b410e704471b750f55745bfa0954"
    )
    # A signed-in shopper's records (scope "customer:<id>", identity.shopper_scope) too.
    assert keys.key("client", "payWithCard", "k1", "customer:1") == (
        "idem:eb2e7a2a64946eb58a3a170af49b71b1ad270560a061c39c8badad8c11a3679c"
    )
    assert keys.key(None, "payWithCard", "k1", "customer:1") == (
        "idem:71faa82d2df913ce7c3e604faca842ab8975a394d2e03cbdb434ddfbb17c9359"
    )
    assert keys.fingerprint(["payWithCard", 7, "4111111111111111"]) == (
        "036a6f99253447fe256f1c308f1d68967ab0a942ddbe2e5a43ae93cd4b30eb8a"
    )


def test_a_guests_records_keep_the_layout_from_before_shoppers() -> None:
    # Records made before shoppers existed are still in Redis: a guest's scope
    # (identity.shopper_scope of no shopper) must give the very same key.
    keys, _ = idempotency()
    assert keys.key("client", "payWithCard", "k1", shopper_scope(None)) == (
        "idem:fd2d86e2a782b8eb41ba3f37e0b312e5c5a0b410e704471b750f55745bfa0954"
    )


class KeptFor(MemoryIdempotencyBackend):
    """Notes how long the store was asked to keep each claim and record."""

    def __init__(self) -> None:
        super().__init__()
        self.ttls: list[float] = []

    async def claim(self, key: str, fingerprint: str, ttl_s: float) -> Any:
        self.ttls.append(ttl_s)
        return await super().claim(key, fingerprint, ttl_s)

    async def finish(
        self, lease: Lease, fingerprint: str, record: dict[str, Any], ttl_s: float
    ) -> None:
        self.ttls.append(ttl_s)
        await super().finish(lease, fingerprint, record, ttl_s)


async def test_records_and_locks_are_kept_for_the_configured_time() -> None:
    backend = KeptFor()
    keys = Idempotency(backend, b"s" * 32, 86_400.0)
    await keys.run("k", "f", Counted())
    async with keys.exclusive("pay|store|7", "busy"):
        pass
    assert backend.ttls == [86_400.0, 86_400.0, 86_400.0]
