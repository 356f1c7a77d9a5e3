"""The bounded record both owner stores keep: forgotten at its time, the oldest out when full."""

from __future__ import annotations

from gateway.stores.expiring_owners import ExpiringOwners


def test_an_entry_is_forgotten_at_its_own_time_even_put_out_of_order() -> None:
    record: ExpiringOwners[str] = ExpiringOwners(maxsize=10)
    record.put("late", 1, until=100.0, now=0.0)
    record.put("early", 2, until=50.0, now=0.0)  # behind one that lives longer
    assert record.get("early", now=49.0) == (2, 50.0)
    assert record.get("early", now=50.0) is None
    assert record.get("late", now=50.0) == (1, 100.0)
    record.drop("late")
    assert record.get("late", now=50.0) is None


def test_a_full_record_drops_the_expired_then_the_oldest_put() -> None:
    record: ExpiringOwners[str] = ExpiringOwners(maxsize=2)
    record.put("a", 1, until=10.0, now=0.0)
    record.put("b", 2, until=20.0, now=0.0)
    record.put("a", 3, until=30.0, now=5.0)  # rewritten: now the newest
    record.put("c", 4, until=40.0, now=5.0)  # full: b, put before a's rewrite, goes
    assert [record.get(key, now=6.0) for key in "abc"] == [(3, 30.0), None, (4, 40.0)]
    record.put("d", 5, until=50.0, now=31.0)  # a expired: it goes, c stays
    assert [record.get(key, now=31.0) for key in "acd"] == [None, (4, 40.0), (5, 50.0)]
