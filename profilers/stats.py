"""Robust summaries and the bootstrap test that decides whether one framework is measurably faster.

A winner is declared only when the bootstrapped confidence interval of the ratio of medians excludes
1 (Hoefler and Belli, SC'15); otherwise the honest answer is "no measurable difference".
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from profilers.protocol import Stats

NOISY = 0.10  # IQR/median above this is flagged


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile of already sorted values."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def summarize(samples: Sequence[float]) -> Stats:
    values = sorted(samples)
    median = quantile(values, 0.5)
    iqr = quantile(values, 0.75) - quantile(values, 0.25)
    return Stats(
        median=median,
        p95=quantile(values, 0.95),
        iqr=iqr,
        n=len(values),
        mean=statistics.fmean(values),
        spread_flag=median > 0 and iqr / median > NOISY,
    )


@dataclass(frozen=True)
class RatioCI:
    ratio: float  # median(a) / median(b)
    low: float
    high: float
    confidence: float

    @property
    def excludes_one(self) -> bool:
        return self.low > 1.0 or self.high < 1.0


def bootstrap_ratio(
    a: Sequence[float], b: Sequence[float], *, resamples: int = 2000, confidence: float = 0.95, seed: int = 0
) -> RatioCI:
    """CI of median(a)/median(b) by resampling each side independently (seeded: reproducible)."""
    if not a or not b:
        raise ValueError("both sides need samples")
    rng = random.Random(seed)
    ratios = []
    for _ in range(resamples):
        ma = statistics.median(rng.choices(a, k=len(a)))
        mb = statistics.median(rng.choices(b, k=len(b)))
        ratios.append(ma / mb)
    ratios.sort()
    tail = (1 - confidence) / 2
    return RatioCI(
        statistics.median(a) / statistics.median(b), quantile(ratios, tail), quantile(ratios, 1 - tail), confidence
    )
