"""The pacer behind --rate-limit: one slot every 1/rate seconds for all the users of a process."""

from __future__ import annotations

import itertools

import pytest

from harness.loadtest.pacing import Pacer


class FakeClock:
    """A clock that moves only when the pacer sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_requests_at_once_leave_one_interval_apart() -> None:
    """Ten requests asked at the same moment go out 1/rate apart: 20 per second means one every 50 ms."""
    clock = FakeClock()
    pacer = Pacer(20, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(10):
        pacer.wait()
        sent.append(clock.now)

    assert [round(b - a, 6) for a, b in itertools.pairwise(sent)] == [0.05] * 9


def test_idle_time_is_not_saved_up_for_a_burst() -> None:
    """After a quiet second the next requests still leave 1/rate apart: no second sends more than the rate."""
    clock = FakeClock()
    pacer = Pacer(10, clock=clock, sleep=clock.sleep)
    pacer.wait()
    clock.now += 1.0
    first = clock.now
    for _ in range(3):
        pacer.wait()

    assert clock.now == pytest.approx(first + 0.2)


def test_a_rate_of_zero_is_refused() -> None:
    """A rate limit must be above zero."""
    with pytest.raises(ValueError, match="above zero"):
        Pacer(0)
