"""Revocation notices in process; the Redis ones: test_redis_revocation_notices.py."""

from __future__ import annotations

from gateway.stores.revocation_notices import InProcessRevocationNotices
from tests.unit.stores.heard import Heard


async def test_in_process_every_handler_hears_even_when_one_fails() -> None:
    notices = InProcessRevocationNotices()

    def failing(_ref: str) -> None:
        raise RuntimeError("a bug in one handler")

    heard = Heard()
    forget_failing = await notices.subscribe(failing)
    forget = await notices.subscribe(heard)
    await notices.publish("ref")
    assert await heard.next() == "ref"
    await forget()
    await forget()  # twice: no harm
    await forget_failing()
    await notices.publish("later")
    assert heard.refs.empty()
