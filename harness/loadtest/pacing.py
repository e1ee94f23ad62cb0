"""``--rate-limit`` inside one Locust process: every request of every user takes the next free slot.

Locust's ``constant_throughput`` and ``constant_pacing`` pace each user on its own, so N users send N
times the rate, and a task of several requests counts as one. The cap is on requests, across the
whole run, so each process holds one pacer shared by all its users (they are greenlets of one
thread: taking a slot never yields, so no lock is needed), and the runner gives each process an
equal share of the limit (harness/loadtest/runner.py). A shared bucket across processes would need
a round trip to the master per request; an equal split never exceeds the limit, and reaches it
whenever every process has users to spend its share, as Locust's even spread of users gives.

The bucket holds one token: slots are ``1 / rate`` apart and none is saved up while users are busy,
so no second of the run sends more than its share (a bigger bucket would allow a burst past it).
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Pacer:
    """At most ``rate`` requests per second: ``wait`` returns when the caller's slot has come."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"a rate limit must be above zero, got {rate}")
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))  # looked up late: gevent's once Locust patched it
        self.next_slot = 0.0

    def wait(self) -> None:
        now = self.clock()
        slot = max(now, self.next_slot)
        self.next_slot = slot + self.interval  # taken before sleeping: the next caller queues behind it
        if slot > now:
            self.sleep(slot - now)
