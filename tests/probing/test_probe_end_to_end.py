"""`advisor probe` for real: every framework in its own child process, saved, re-read and scored.

One workload keeps it short: each framework's own tests run every workload through the shared runner
(tests/probing/*/test_probe.py); this one checks the path from the command line to a three-way report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.api import load_evidence, recommend
from advisor.cli.commands import app
from tests.conftest import EXAMPLES

pytestmark = [pytest.mark.torch, pytest.mark.tensorflow, pytest.mark.jax, pytest.mark.slow]


def test_probe_the_three_frameworks_and_score_them(tmp_path: Path) -> None:
    for package in ("torch", "tensorflow", "jax"):
        pytest.importorskip(package)
    saved = tmp_path / "results.json"
    command = ["probe", "-w", "mlp", "--mode", "eager", "--budget", "15", "--threads", "1", "-o", str(saved)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    run = load_evidence(saved)  # validates against the probe-run schema
    assert [r.framework for r in run.results] == ["pytorch", "tensorflow", "jax"]
    for framework_result in run.results:
        assert framework_result.environment is not None and framework_result.settings["threads"] == 1
        assert [(c.workload, c.status) for c in framework_result.cells] == [("mlp", "ok")], [
            c.message for c in framework_result.cells
        ]
    pairs = {(c.a, c.b) for c in run.comparisons}
    assert pairs == {("pytorch", "tensorflow"), ("pytorch", "jax"), ("tensorflow", "jax")}
    report = recommend(EXAMPLES / "edge-asr-robotics.yaml", evidence=run, draws=200)
    assert report.evidence.kind == "measured" and report.evidence.probe is not None
    assert {c.a for c in report.evidence.probe.comparisons} >= {"pytorch", "tensorflow"}
    assert "JAX measured" in report.evidence.note
