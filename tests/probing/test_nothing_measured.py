"""The evidence states only what ran: per framework measured or not (and why), nothing claimed otherwise.

Issue 12: with neither framework installed, ``recommend --probe`` said "performance ratings include
probe measurements" while both probes were ``missing``, and ``advisor probe`` exited 1, the README's
code for "every framework excluded".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.api import recommend
from advisor.cli.commands import app
from advisor.evidence.probe_run import ProbeRun
from advisor.probing import launcher, plan
from advisor.probing.run import compare, run_probes
from advisor.scoring.probe_summary import NOTHING_MEASURED_EXIT, coverage, probe_exit_code
from tests.conftest import EXAMPLES
from tests.probing import synthetic

SPEC = EXAMPLES / "vision-mobile-startup.yaml"
CLAIMS = ("include probe measurements", "Measured evidence", "Probes on")


def _recommend_with_probe(fmt: str = "markdown") -> str:
    result = CliRunner().invoke(app, ["recommend", str(SPEC), "--probe", "--budget", "5", "-f", fmt, "--draws", "200"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_frameworks_missing_from_the_machine_are_said_to_be_not_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher, "framework_installed", lambda framework: False)
    text = _recommend_with_probe()
    assert "the probes ran but measured nothing" in text
    assert "PyTorch not measured: torch is not installed" in text
    assert "TensorFlow not measured: tensorflow is not installed" in text
    assert "JAX not measured: jax is not installed" in text
    assert not any(claim in text for claim in CLAIMS)
    evidence = json.loads(_recommend_with_probe("json"))["evidence"]
    assert evidence["kind"] == "documentary" and evidence["probe"] is None


def test_frameworks_hidden_from_the_child_are_said_to_be_not_measured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The parent finds every package, but in the child process none can be imported."""
    for package in ("torch", "tensorflow", "jax"):
        message = f"No module named {package!r}"  # as Python says it
        (tmp_path / f"{package}.py").write_text(f"raise ModuleNotFoundError({message!r}, name={package!r})\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(launcher, "framework_installed", lambda framework: True)
    text = _recommend_with_probe()
    assert "the probes ran but measured nothing" in text
    assert "PyTorch not measured: probe error: ModuleNotFoundError: No module named 'torch'" in text
    assert "TensorFlow not measured: probe error: ModuleNotFoundError: No module named 'tensorflow'" in text
    assert "JAX not measured: probe error: ModuleNotFoundError: No module named 'jax'" in text
    assert not any(claim in text for claim in CLAIMS)


def test_advisor_probe_has_its_own_exit_status_when_nothing_was_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher, "framework_installed", lambda framework: False)
    run = run_probes(plan.settings(workloads=["mlp"], budget="5"))
    assert [r.status for r in run.results] == ["missing", "missing", "missing"]
    assert probe_exit_code(run) == NOTHING_MEASURED_EXIT == 4
    assert probe_exit_code(synthetic.run()) == 0
    assert all(r.over_budget == (r.wall_s > r.budget_s) for r in run.results)


def test_one_framework_measured_says_which_and_that_no_comparison_was_possible() -> None:
    base = synthetic.run()
    missing = base.results[1].model_copy(
        update={"status": "missing", "message": "tensorflow is not installed: pip install tensorflow", "cells": []}
    )
    results = [base.results[0], missing]
    run = ProbeRun(settings=base.settings, results=results, comparisons=compare(results), wall_s=1)
    assert [c.measured for c in coverage(run)] == [True, False]
    report = recommend(SPEC, draws=200, evidence=run)
    note = report.evidence.note
    assert report.evidence.kind == "measured"
    assert "PyTorch measured (1 of 1 cells)" in note
    assert "TensorFlow not measured: tensorflow is not installed" in note
    assert "No timing comparison was possible" in note and "performance ratings are documentary" in note
    assert all(
        not t.source.startswith("evidence:") for c in report.criteria for r in c.ratings.values() for t in r.terms
    )


def test_a_cell_that_never_completed_is_the_reason_given() -> None:
    base = synthetic.run()
    failed = (
        base.results[0]
        .cells[0]
        .model_copy(update={"status": "budget_exceeded", "message": "first step took 25 s", "train_step_samples": []})
    )
    results = [base.results[0].model_copy(update={"cells": [failed], "status": "partial"}), base.results[1]]
    run = ProbeRun(settings=base.settings, results=results, comparisons=compare(results), wall_s=1)
    said = coverage(run)[0]
    assert not said.measured
    assert (
        said.sentence() == "PyTorch not measured: no cell completed (cnn eager: budget_exceeded, first step took 25 s)"
    )
    crashed = results[0].model_copy(update={"status": "crashed", "message": "the child died with SIGKILL"})
    said = coverage(run.model_copy(update={"results": [crashed, base.results[1]]}))[0]
    assert said.detail.endswith("; probe crashed: the child died with SIGKILL")


def test_advisor_probe_exits_4_when_nothing_could_be_measured(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`advisor probe` with no framework installed: exit 4 (documented), and it says why."""
    from typer.testing import CliRunner

    from advisor.cli.commands import app
    from advisor.probing import launcher

    monkeypatch.setattr(launcher, "framework_installed", lambda framework: False)
    result = CliRunner().invoke(app, ["probe", "-w", "mlp", "--budget", "5"])
    assert result.exit_code == 4, result.output
    assert "nothing was measured" in result.output


def test_advisor_probe_gives_each_frameworks_reason_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20: the reasons came twice, as the warnings under an empty table and again under "nothing was
    measured"; each framework's reason, with its install hint, is now said once."""
    monkeypatch.setattr(launcher, "framework_installed", lambda framework: False)
    result = CliRunner().invoke(app, ["probe", "-w", "mlp", "--budget", "5"], env={"COLUMNS": "400"})  # no wrapping
    assert result.exit_code == 4, result.output
    for package, name in (("torch", "PyTorch"), ("tensorflow", "TensorFlow"), ("jax", "JAX")):
        assert result.output.count(f"{package} is not installed") == 1, result.output
        assert f"{name} not measured: {package} is not installed: pip install 'framework-advisor[" in result.output
