"""`advisor probe` for real: both frameworks in child processes, every workload, saved and re-read."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.api import load_evidence, recommend
from advisor.cli import app
from tests.conftest import EXAMPLES

pytestmark = [pytest.mark.torch, pytest.mark.tensorflow, pytest.mark.slow]


def test_probe_every_workload_in_both_frameworks(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    saved = tmp_path / "results.json"
    result = CliRunner().invoke(app, ["probe", "--mode", "eager", "--budget", "45", "--threads", "1", "-o", str(saved)])
    assert result.exit_code == 0, result.output
    run = load_evidence(saved)  # validates against the probe-run schema
    assert [r.framework for r in run.results] == ["pytorch", "tensorflow"]
    for framework_result in run.results:
        assert framework_result.environment is not None and framework_result.settings["threads"] == 1
        done = {c.workload for c in framework_result.cells if c.status == "ok"}
        assert done == {"mlp", "cnn", "transformer", "lstm"}, [
            (c.workload, c.status, c.message) for c in framework_result.cells
        ]
    assert {c.workload for c in run.comparisons} == {"mlp", "cnn", "transformer", "lstm"}
    report = recommend(EXAMPLES / "edge-asr-robotics.yaml", evidence=run, draws=200)
    assert report.evidence.kind == "measured" and report.evidence.probe is not None
