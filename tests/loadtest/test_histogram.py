"""The latency histogram: exact to three significant digits, mergeable across processes."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from harness.loadtest.histogram import Histogram, bucket


def nearest_rank(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


@given(
    st.lists(st.floats(min_value=0.01, max_value=60_000), min_size=1, max_size=500), st.sampled_from([0.5, 0.95, 0.99])
)
def test_percentiles_are_within_half_a_percent(samples: list[float], fraction: float) -> None:
    """Any percentile is the true nearest-rank value to within 0.5%."""
    exact = nearest_rank(samples, fraction)

    assert abs(Histogram.of(samples).percentile(fraction) - exact) <= exact * 0.005


def test_sub_millisecond_latencies_stay_distinct() -> None:
    """0.31 ms and 0.87 ms land in different buckets (Locust would call both 0 or 1)."""
    assert bucket(0.314) == 0.314
    assert bucket(0.87) == 0.87
    assert bucket(1234.5) == 1230.0


def test_merged_histograms_equal_one_histogram_of_everything() -> None:
    """Histograms from several workers merge into the histogram of all their samples."""
    generator = random.Random(3)
    parts = [[generator.expovariate(1 / 5) for _ in range(200)] for _ in range(3)]
    merged = Histogram()
    for part in parts:
        merged.merge(Histogram.of(part))

    assert merged.counts == Histogram.of([sample for part in parts for sample in part]).counts
    assert merged.total == 600


def test_json_round_trip() -> None:
    """A histogram written to JSON reads back the same."""
    histogram = Histogram.of([0.5, 0.5, 12.25, 980.0])

    assert Histogram.from_json(histogram.to_json()).counts == histogram.counts
