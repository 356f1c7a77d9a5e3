"""The request deadline: set for a block, the tighter of two wins, gone after the block."""

from __future__ import annotations

import pytest

from gateway import deadline


def test_a_block_has_its_deadline_and_the_tighter_outer_one_wins() -> None:
    assert deadline.remaining(7.0) == 7.0  # outside a request
    with deadline.deadline_in(10.0) as outer:
        assert 9.0 < deadline.remaining() <= 10.0
        with deadline.deadline_in(60.0) as inner:
            assert inner == outer  # a later, looser deadline does not extend it
        with deadline.deadline_in(1.0):
            assert deadline.remaining() <= 1.0
        assert 9.0 < deadline.remaining() <= 10.0
    assert deadline.remaining(7.0) == 7.0


def test_the_deadline_is_reset_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), deadline.deadline_in(1.0):
        raise RuntimeError
    assert deadline.remaining(7.0) == 7.0


def test_an_outliving_block_runs_past_the_request_deadline_and_restores_it() -> None:
    with deadline.deadline_in(1.0):
        with deadline.outliving(30.0):
            assert 29.0 < deadline.remaining() <= 30.0  # not cut at the request's deadline
            with deadline.deadline_in(60.0):
                assert 29.0 < deadline.remaining() <= 30.0  # and still the tighter one wins
        assert deadline.remaining() <= 1.0
    assert deadline.remaining(7.0) == 7.0
