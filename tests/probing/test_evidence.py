"""Measured evidence moves the performance ratings, with its uncertainty, and shows in the report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.api import load_evidence, recommend
from advisor.cli.commands import app
from advisor.errors import EvidenceError
from advisor.probing import plan
from advisor.report.markdown import render
from advisor.scoring.evidence import evidence_from
from tests.conftest import EXAMPLES
from tests.probing import synthetic

SPEC = EXAMPLES / "vision-mobile-startup.yaml"


def _rating(report, criterion: str, framework: str) -> float:  # type: ignore[no-untyped-def]
    return next(c for c in report.criteria if c.criterion == criterion).ratings[framework].value


def test_a_measured_twofold_gap_opens_one_rating_point() -> None:
    run = synthetic.run(torch_step=0.010, tf_step=0.020)
    train = next(c for c in run.comparisons if c.metric == "train_step_time")
    assert train.winner == "pytorch" and train.high < 1
    evidence = evidence_from(run, ["pytorch", "tensorflow"])
    assert [t.delta for t in evidence.terms[("training_performance", "pytorch")]] == [pytest.approx(0.5, abs=0.02)]
    assert [t.delta for t in evidence.terms[("training_performance", "tensorflow")]] == [pytest.approx(-0.5, abs=0.02)]
    infer = next(c for c in run.comparisons if c.metric == "infer_b1_latency")
    assert infer.winner is None and "no measurable difference" in infer.verdict
    assert ("inference_performance", "pytorch") not in evidence.terms  # no difference: no shift
    assert evidence.sds[("inference_performance", "pytorch")] < 0.35  # but measured: narrower


def test_evidence_moves_the_scores_and_is_reported() -> None:
    documentary = recommend(SPEC, draws=200)
    measured = recommend(SPEC, draws=200, evidence=synthetic.run(torch_step=0.010, tf_step=0.020))
    gap_before = _rating(documentary, "training_performance", "pytorch") - _rating(
        documentary, "training_performance", "tensorflow"
    )
    gap_after = _rating(measured, "training_performance", "pytorch") - _rating(
        measured, "training_performance", "tensorflow"
    )
    assert gap_after == pytest.approx(gap_before + 1.0, abs=0.05)
    assert measured.evidence.kind == "measured" and documentary.evidence.kind == "documentary"
    text = render(measured)
    assert "## Measured evidence" in text and re.search(r"PyTorch (1\.9\d|2\.0\d)x faster", text)
    assert "evidence:train_step_time +0.5" in text  # +0.50 (2.00x) shown at one decimal
    assert "no probe was run" in render(documentary)


def test_a_framework_blind_to_the_gpu_is_flagged_loudly() -> None:
    run = synthetic.run(tf_env=synthetic.environment(gpu_present=True, gpu_visible=False))
    report = recommend(SPEC, draws=100, evidence=run)
    text = render(report)
    assert "**Warning:** tensorflow cannot see the NVIDIA GPU" in text
    assert "evidence:gpu_visibility -1.0" in text


def test_saved_evidence_round_trips_through_the_cli(tmp_path: Path) -> None:
    saved = tmp_path / "results.json"
    saved.write_text(synthetic.run().model_dump_json(indent=2))
    assert load_evidence(saved) == synthetic.run()
    result = CliRunner().invoke(app, ["recommend", str(SPEC), "--evidence", str(saved), "-f", "markdown"])
    assert result.exit_code == 0 and "## Measured evidence" in result.stdout


def test_a_broken_evidence_file_is_a_located_error(tmp_path: Path) -> None:
    saved = tmp_path / "results.json"
    data = synthetic.run().model_dump_json(indent=2).replace('"ratio": ', '"ratio": "fast", "x": ', 1)
    saved.write_text(data)
    with pytest.raises(EvidenceError) as caught:
        load_evidence(saved)
    assert caught.value.line is not None and caught.value.field and "comparisons" in caught.value.field
    result = CliRunner().invoke(app, ["recommend", str(SPEC), "--evidence", str(saved)])
    assert result.exit_code == 2


def test_plan_maps_model_families_and_budgets() -> None:
    from advisor.api import validate

    assert plan.workloads_for(validate(SPEC)) == ["cnn"]
    assert plan.budget_of("quick") == (60.0, 1) and plan.budget_of("full")[1] == 2
    assert plan.budget_of("45") == (45.0, 1)
    assert plan.order(["pytorch", "tensorflow"], 2) == ["pytorch", "tensorflow", "tensorflow", "pytorch"]
    with pytest.raises(Exception, match="budget"):
        plan.budget_of("forever")


def test_bad_probe_options_are_user_errors() -> None:
    result = CliRunner().invoke(app, ["probe", "--device", "tpu:0"])
    assert result.exit_code == 2 and "device must be auto, cpu or cuda:N" in result.stderr
    result = CliRunner().invoke(app, ["probe", "--workload", "gan"])
    assert result.exit_code == 2 and "'gan' is not one of" in result.stderr


def test_ratings_use_compiled_comparisons_where_both_sides_have_them() -> None:
    from advisor.evidence.probe_run import ProbeRun
    from advisor.probing.run import compare

    base = synthetic.run(torch_step=0.010, tf_step=0.050)  # eager: PyTorch 5x faster
    results = []
    for result, step in zip(base.results, (0.010, 0.010), strict=True):  # compiled: equal
        cells = [
            *result.cells,
            synthetic.cell("cnn", "compiled", step, 0.002, 9 if result.framework == "pytorch" else 10),
        ]
        results.append(result.model_copy(update={"cells": cells}))
    run = ProbeRun(settings=base.settings, results=results, comparisons=compare(results), wall_s=1)
    evidence = evidence_from(run, ["pytorch", "tensorflow"])
    assert ("training_performance", "pytorch") not in evidence.terms  # the eager 5x does not count
    assert any(c.mode == "eager" and c.winner == "pytorch" for c in run.comparisons)  # but is reported


def test_a_failed_conversion_lowers_its_criterion_with_the_failure_cited() -> None:
    from advisor.evidence.protocol import DeployCheck

    base = synthetic.run()
    failing = DeployCheck(
        target="mobile",
        workload="cnn",
        route="TFLiteConverter (float)",
        status="failed",
        message="error: 'tf.Svd' op is neither a custom op nor a flex op",
    )
    working = synthetic.passing_check("mobile", "ExecuTorch", artifact_bytes=1000, convert_s=1.0)
    untrained_int8 = DeployCheck(target="microcontroller", workload="cnn", route="int8", status="parity_failed")
    run = synthetic.with_deploy_checks(base, {"pytorch": [working], "tensorflow": [failing, untrained_int8]})
    evidence = evidence_from(run, ["pytorch", "tensorflow"])
    term = evidence.terms[("mobile_edge", "tensorflow")][0]
    assert term.delta == -1.0 and "tf.Svd" in term.note and term.source == "evidence:deploy:mobile_edge"
    assert ("mobile_edge", "pytorch") not in evidence.terms
    assert ("microcontroller", "tensorflow") not in evidence.terms  # int8 noise on untrained weights: not held against
    text = render(recommend(SPEC, draws=100, evidence=run))
    assert "Deployment checks" in text and "evidence:deploy:mobile_edge -1.0" in text
