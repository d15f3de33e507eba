"""Noisy comparisons are shown as such and move no rating (issue 12's "TensorFlow 218.20x faster").

A compiled PyTorch batch-1 latency whose calls fall mostly in a slow mode (a contended thread pool)
against a steady TensorFlow one: the comparison is reported as too noisy, the inference rating and
its spread stay documentary, and the clean training comparison next to it still counts.
"""

from __future__ import annotations

import random
import re

from advisor.api import recommend
from advisor.evidence.probe_run import ProbeRun
from advisor.evidence.protocol import CellResult, ProbeResult
from advisor.evidence.stats import summarize
from advisor.probing.run import compare
from advisor.report.markdown import render
from advisor.scoring.evidence import evidence_from
from advisor.scoring.probe_summary import summarize_run
from tests.conftest import EXAMPLES
from tests.probing import synthetic

SPEC = EXAMPLES / "vision-mobile-startup.yaml"


def _steady(level: float, n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [level * (1 + rng.uniform(-0.03, 0.03)) for _ in range(n)]


def _contended(n: int, seed: int) -> list[float]:
    """70 % of the calls at 336 ms, the rest at 1 ms: a median of 336 ms that says little."""
    rng = random.Random(seed)
    return [(0.336 if rng.random() < 0.7 else 0.001) * (1 + rng.uniform(-0.03, 0.03)) for _ in range(n)]


def _cell(train: list[float], b1: list[float]) -> CellResult:
    return CellResult(
        workload="cnn",
        mode="compiled",
        status="ok",
        train_step=summarize(train),
        train_step_samples=train,
        infer_b1=summarize(b1),
        infer_b1_samples=b1,
    )


def _run() -> ProbeRun:
    base = synthetic.run()
    cells = {
        "pytorch": _cell(_steady(0.025, 60, 1), _contended(100, 2)),
        "tensorflow": _cell(_steady(0.041, 60, 3), _steady(0.00175, 100, 4)),
    }
    results: list[ProbeResult] = [r.model_copy(update={"cells": [cells[r.framework]]}) for r in base.results]
    settings = base.settings.model_copy(update={"modes": ["compiled"]})
    return ProbeRun(settings=settings, results=results, comparisons=compare(results), wall_s=1)


def test_a_contended_latency_is_shown_as_noisy_and_moves_no_rating() -> None:
    run = _run()
    by_metric = {c.metric: c for c in run.comparisons}
    latency, step = by_metric["infer_b1_latency"], by_metric["train_step_time"]
    assert latency.ratio > 100 and latency.outcome == "unstable" and latency.winner is None
    assert latency.verdict.startswith("batch-1 latency: too noisy to compare, not counted (PyTorch's middle 80 %")
    assert step.outcome == "counted" and step.winner == "pytorch"

    evidence = evidence_from(run, ["pytorch", "tensorflow"])
    assert not any(criterion == "inference_performance" for criterion, _ in evidence.terms)
    assert not any(criterion == "inference_performance" for criterion, _ in evidence.sds)  # spread not narrowed
    assert ("training_performance", "pytorch") in evidence.terms
    assert evidence.uses["inference_performance"].clean == 0

    documentary, measured = recommend(SPEC, draws=200), recommend(SPEC, draws=200, evidence=run)
    inference = [
        {fw: (r.value, r.sd) for fw, r in c.ratings.items()}
        for report in (documentary, measured)
        for c in report.criteria
        if c.criterion == "inference_performance"
    ]
    assert inference[0] == inference[1]
    assert (
        "inference performance stays documentary (every comparison too noisy or inconsistent" in measured.evidence.note
    )

    assert [row.noisy for row in summarize_run(run, ()).rows] == [True, False]  # the table flags the same cell
    text = render(measured)
    assert "too noisy to compare, not counted" in text and not re.search(r"TensorFlow [\d.]+x faster", text)
