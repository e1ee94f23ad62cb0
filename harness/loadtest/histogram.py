"""A mergeable latency histogram, precise to three significant digits at every scale.

Locust rounds response times to whole milliseconds below 100 ms (and coarser above), which makes
every percentile of a fast API read 1 or 2 ms. Buckets of three significant digits keep p99 within
0.5% of the true value while a run of millions of requests still needs only a few thousand keys,
and histograms from several processes merge by adding counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable


def bucket(milliseconds: float) -> float:
    """The bucket a latency falls in: the value rounded to three significant digits."""
    if milliseconds <= 0:
        return 0.0
    return float(f"{milliseconds:.3g}")


class Histogram:
    def __init__(self, counts: dict[float, int] | None = None) -> None:
        self.counts: Counter[float] = Counter(counts or {})

    def add(self, milliseconds: float) -> None:
        self.counts[bucket(milliseconds)] += 1

    def merge(self, other: Histogram) -> None:
        self.counts.update(other.counts)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def max(self) -> float:
        return max(self.counts, default=0.0)

    def percentile(self, fraction: float) -> float:
        """The smallest bucket at or below which ``fraction`` of the samples lie (nearest rank)."""
        total = self.total
        if total == 0:
            return 0.0
        rank = max(1, math.ceil(fraction * total))
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen >= rank:
                return value
        return self.max

    def to_json(self) -> dict[str, int]:
        return {repr(value): count for value, count in self.counts.items()}

    @classmethod
    def from_json(cls, data: dict[str, int]) -> Histogram:
        return cls({float(value): count for value, count in data.items()})

    @classmethod
    def of(cls, samples: Iterable[float]) -> Histogram:
        histogram = cls()
        for sample in samples:
            histogram.add(sample)
        return histogram
