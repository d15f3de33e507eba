"""Robust summaries, and the verdict rule that decides whether one framework is measurably faster.

The two frameworks run one after the other in separate processes, on machines that may be busy, so
a timing series is neither independent nor stationary: a burst of load slows a run of consecutive
steps, and a contended thread pool can make every other step a hundred times slower. The rule
(:func:`compare_timings`) therefore counts a comparison only when it survives every check below, in
this order; the first that fails is its outcome:

1. ``unstable``: either side's middle 80 % of samples spans more than :data:`SPREAD_LIMIT` of its
   median (relative inter-decile range). A second mode holding 10 % of the samples or more, or drift
   within the run, shows here; the median of such a series says little about the framework.
2. ``no_difference``: the 95 % interval of the ratio of medians includes 1. The interval comes from a
   circular block bootstrap (blocks of about sqrt(n) consecutive samples, each round resampled on
   its own), which keeps the serial correlation that an independent resampling treats as fresh
   information (Hoefler and Belli, SC'15, for the ratio of medians; Politis and Romano, 1992, for
   the circular blocks).
3. ``within_noise``: the interval excludes 1, but the faster side's upper quartile is not below the
   slower side's lower quartile. The interval only sees noise within a run; drift between the two
   runs is invisible to it, so the difference must also be larger than the spread of the samples.
4. ``rounds_disagree``: with two or more rounds per side (``full``: ABBA), some round's ratio of
   medians falls on the other side of 1.
5. ``counted``: the faster side is named, and only then do ratings move.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from advisor.evidence.protocol import Stats

NOISY = 0.10  # IQR/median above this sets the child's advisory spread_flag (see the protocol)
SPREAD_LIMIT = 0.5  # relative inter-decile range above which a series is too unstable to compare
CONFIDENCE = 0.95
RESAMPLES = 2000

Outcome = Literal["counted", "no_difference", "within_noise", "unstable", "rounds_disagree"]
Side = Literal["a", "b"]


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


SETTLE_MIN = 20  # samples a timed phase takes before it may end early
SETTLE_PRECISION = 0.02  # ... once its median is known to within 2 % (95 % interval half-width)


def settled(samples: Sequence[float], precision: float = SETTLE_PRECISION) -> bool:
    """Whether more samples would change the median by little: at least :data:`SETTLE_MIN` of them, and
    the distribution-free 95 % interval of the median (the order statistics n/2 -+ 0.98 sqrt(n)) no wider
    than ``precision`` of it on either side. A probe phase that has settled stops, instead of spending
    the rest of its time on a figure it already has."""
    n = len(samples)
    if n < SETTLE_MIN:
        return False
    values = sorted(samples)
    half = 0.98 * math.sqrt(n)
    low, high = values[max(0, math.floor(n / 2 - half))], values[min(n - 1, math.ceil(n / 2 + half))]
    median = quantile(values, 0.5)
    return median > 0 and (high - low) / 2 <= precision * median


def spread(samples: Sequence[float]) -> float:
    """Relative inter-decile range, (p90 - p10) / p50: how wide the middle 80 % of samples is."""
    values = sorted(samples)
    median = quantile(values, 0.5)
    return (quantile(values, 0.9) - quantile(values, 0.1)) / median if median > 0 else float("inf")


def unstable(samples: Sequence[float]) -> bool:
    """True when a series is too spread out to be compared (the gate of :func:`compare_timings`)."""
    return bool(samples) and spread(samples) > SPREAD_LIMIT


@dataclass(frozen=True)
class RatioCI:
    ratio: float  # median(a) / median(b)
    low: float
    high: float
    confidence: float

    @property
    def excludes_one(self) -> bool:
        return self.low > 1.0 or self.high < 1.0


def block_length(n: int) -> int:
    """About sqrt(n) consecutive samples: long enough to keep a burst of load together, short enough to
    leave several blocks to resample (5 samples: blocks of 3; 300: blocks of 18)."""
    return max(1, math.ceil(math.sqrt(n)))


def _resampled(rng: random.Random, series: Sequence[float]) -> list[float]:
    """One circular block-bootstrap resample of ``series`` (blocks wrap around the end)."""
    n, block = len(series), block_length(len(series))
    ring = [*series, *series[: block - 1]]
    out: list[float] = []
    while len(out) < n:
        start = rng.randrange(n)
        out += ring[start : start + block]
    return out[:n]


def _resampled_median(rng: random.Random, rounds: Sequence[Sequence[float]]) -> float:
    """The median of one resample of every round (each round resampled on its own, then pooled)."""
    return statistics.median([value for series in rounds for value in _resampled(rng, series)])


def ratio_interval(
    rounds_a: Sequence[Sequence[float]],
    rounds_b: Sequence[Sequence[float]],
    *,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> RatioCI:
    """Interval of median(a)/median(b), pooled over rounds, by circular block bootstrap (seeded)."""
    rounds_a, rounds_b = [r for r in rounds_a if r], [r for r in rounds_b if r]
    if not rounds_a or not rounds_b:
        raise ValueError("both sides need samples")
    rng = random.Random(seed)
    ratios = sorted(_resampled_median(rng, rounds_a) / _resampled_median(rng, rounds_b) for _ in range(resamples))
    tail = (1 - confidence) / 2
    return RatioCI(
        statistics.median(_pooled(rounds_a)) / statistics.median(_pooled(rounds_b)),
        quantile(ratios, tail),
        quantile(ratios, 1 - tail),
        confidence,
    )


def bootstrap_ratio(
    a: Sequence[float], b: Sequence[float], *, resamples: int = RESAMPLES, confidence: float = CONFIDENCE, seed: int = 0
) -> RatioCI:
    """:func:`ratio_interval` of two single time-ordered series."""
    return ratio_interval([a], [b], resamples=resamples, confidence=confidence, seed=seed)


@dataclass(frozen=True)
class Verdict:
    """What :func:`compare_timings` found; ``faster`` is named only when the outcome is counted."""

    ci: RatioCI
    outcome: Outcome
    faster: Side | None
    spread_a: float  # relative inter-decile range of each side, pooled over rounds
    spread_b: float
    round_ratios: tuple[float, ...] = ()  # each round's ratio of medians, where there are several


def compare_timings(
    rounds_a: Sequence[Sequence[float]],
    rounds_b: Sequence[Sequence[float]],
    *,
    seed: int = 0,
    resamples: int = RESAMPLES,
) -> Verdict:
    """Apply this module's verdict rule to two sides' timings, each a list of rounds (time-ordered series)."""
    rounds_a, rounds_b = [r for r in rounds_a if r], [r for r in rounds_b if r]
    ci = ratio_interval(rounds_a, rounds_b, seed=seed, resamples=resamples)
    pooled_a, pooled_b = sorted(_pooled(rounds_a)), sorted(_pooled(rounds_b))
    spreads = (spread(pooled_a), spread(pooled_b))
    per_round = (
        tuple(statistics.median(x) / statistics.median(y) for x, y in zip(rounds_a, rounds_b, strict=True))
        if len(rounds_a) > 1 and len(rounds_a) == len(rounds_b)
        else ()
    )

    def verdict(outcome: Outcome, faster: Side | None = None) -> Verdict:
        return Verdict(ci, outcome, faster, spreads[0], spreads[1], per_round)

    if max(spreads) > SPREAD_LIMIT:
        return verdict("unstable")
    if not ci.excludes_one:
        return verdict("no_difference")
    faster: Side = "a" if ci.ratio < 1 else "b"
    fast, slow = (pooled_a, pooled_b) if faster == "a" else (pooled_b, pooled_a)
    if quantile(fast, 0.75) >= quantile(slow, 0.25):
        return verdict("within_noise")
    if any(r >= 1 if faster == "a" else r <= 1 for r in per_round):
        return verdict("rounds_disagree")
    return verdict("counted", faster)


def _pooled(rounds: Sequence[Sequence[float]]) -> list[float]:
    return [value for series in rounds for value in series]
