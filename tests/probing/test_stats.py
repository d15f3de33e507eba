"""Summaries and the bootstrap verdict."""

from __future__ import annotations

import random

from advisor.evidence.stats import bootstrap_ratio, quantile, summarize


def test_summary_of_known_samples() -> None:
    stats = summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert stats.median == 3.0 and stats.n == 5 and stats.iqr == 2.0
    assert stats.spread_flag  # IQR/median = 0.67
    assert quantile([1.0, 2.0], 0.5) == 1.5


def test_clearly_different_samples_have_a_winner() -> None:
    rng = random.Random(1)
    fast = [1.0 + rng.random() * 0.05 for _ in range(50)]
    slow = [1.5 + rng.random() * 0.05 for _ in range(50)]
    ci = bootstrap_ratio(fast, slow)
    assert ci.excludes_one and ci.high < 1 and ci.low < ci.ratio < ci.high


def test_same_distribution_has_no_winner() -> None:
    rng = random.Random(2)
    a = [rng.gauss(1.0, 0.1) for _ in range(40)]
    b = [rng.gauss(1.0, 0.1) for _ in range(40)]
    assert not bootstrap_ratio(a, b, seed=3).excludes_one


def test_bootstrap_is_reproducible() -> None:
    a, b = [1.0, 1.1, 0.9, 1.2, 1.0], [1.3, 1.2, 1.4, 1.3, 1.25]
    assert bootstrap_ratio(a, b, seed=7) == bootstrap_ratio(a, b, seed=7)


def test_gpu_index_reads_both_frameworks_spellings() -> None:
    from advisor.probing.child.nvml import gpu_index

    assert [gpu_index(d) for d in ("cuda:1", "/GPU:0", "cuda", "cpu", "/CPU:0", "auto")] == [1, 0, 0, None, None, None]
