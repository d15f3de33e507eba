"""`advisor recommend SPEC --probe` with a `probe.model`: the team's PyTorch model is measured, converted
along every installed route for the spec's targets, and reported above the synthetic workloads."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.api import load_evidence
from advisor.cli.commands import app
from tests.conftest import EXAMPLES

pytestmark = [pytest.mark.torch, pytest.mark.slow]

SPEC = """\
version: 2
name: Leaf scanner (test)
task: {domain: vision, model_family: mlp}
deployment:
  targets: [{kind: android}, {kind: server_rest}]
team: {experience: {pytorch: intermediate}}
constraints: {exclude_frameworks: [tensorflow, jax]}
probe: {model: '%s'}
"""


def test_recommend_probe_runs_the_own_model_checks_above_the_synthetic_ones(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("onnxruntime")
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC % f"{(EXAMPLES / 'models' / 'torch_small.py').as_posix()}:make", encoding="utf-8")
    saved = tmp_path / "run.json"
    args = ["recommend", str(spec), "--probe", "--budget", "15", "--mode", "eager", "-f", "markdown", "--draws", "200"]
    result = CliRunner().invoke(app, [*args, "--save-evidence", str(saved)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.index("## Your model") < text.index("## Measured evidence")  # above the synthetic workloads
    run = load_evidence(saved)
    assert run.model is not None and run.settings.model is not None
    (own,) = run.model.results
    (cell,) = own.cells
    assert own.framework == "pytorch" and cell.workload == "model" and cell.status == "ok", cell.message
    assert cell.train_step is not None and cell.params == 5466 and cell.batch_size == 8 and cell.large_batch_size == 64
    checks = {c.route.split(" (")[0].split(" ->")[0]: c for c in own.deploy_checks}
    assert {c.target for c in own.deploy_checks} == {"server", "onnx", "mobile"}  # android and server_rest
    for route in ("torch.export", "torch.onnx.export(dynamo=True, dynamic axes 0)"):
        assert checks[route].status == "ok" and checks[route].max_abs_error is not None, checks[route].message
    aoti = next(c for c in own.deploy_checks if "AOTInductor" in c.route)
    assert aoti.status == "ok", aoti.message
    executorch = next(c for c in own.deploy_checks if "ExecuTorch" in c.route)
    assert executorch.status == ("ok" if importlib.util.find_spec("executorch") else "not_checked")
    litert = next(c for c in own.deploy_checks if "litert-torch" in c.route)
    assert "not a TensorFlow measurement" in litert.route  # a conversion, filed under PyTorch
    if importlib.util.find_spec("litert_torch") is None:
        assert litert.status == "not_checked" and "pip install litert-torch" in litert.message
    assert "on your model: ok" in text  # the stack section cites the model's own export results
    assert run.results and all(r.framework == "pytorch" for r in run.results)  # the synthetic probe ran too
