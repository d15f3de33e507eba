"""A team's own PyTorch model in the PyTorch child: a saved .pt2 with an op ONNX cannot export (the
exporter's message reaches the report), and a factory that raises (one line, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.api import recommend
from advisor.cli.commands import app
from advisor.evidence.probe_run import ModelRun, ModelSettings, ProbeRun, ProbeSettings
from advisor.evidence.protocol import ModelSource, ProbeRequest
from advisor.probing.launcher import run_probe
from advisor.report.markdown import render
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.torch


def test_a_saved_pt2_is_measured_and_its_unsupported_op_is_named_in_the_report(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnxscript")
    pytest.importorskip("onnxruntime")

    class Spectrum(torch.nn.Module):  # singular values: torch.onnx has no ONNX function for aten._linalg_svd
        def __init__(self) -> None:
            super().__init__()
            self.linear = torch.nn.Linear(4, 4)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.linalg.svdvals(self.linear(x))

    path = tmp_path / "spectrum.pt2"
    torch.export.save(torch.export.export(Spectrum().eval(), (torch.randn(2, 4, 4),)), str(path))
    source = ModelSource(ref="spectrum.pt2", kind="pt2", path=str(path))
    request = ProbeRequest(
        framework="pytorch",
        workloads=[],
        modes=["eager"],
        device="cpu",
        threads=1,
        budget_s=8,
        deploy=["onnx"],
        model=source,
    )
    result = run_probe(request)
    assert result.status == "ok" and result.settings["own_model_trainable"] is False, result.message
    (cell,) = result.cells
    assert cell.workload == "model" and cell.status == "ok", cell.message
    assert cell.train_step is None and cell.infer_b1 is not None and cell.first_step_s is not None
    # exported with static shapes: no axis may change size, so latency and throughput run at the example batch
    assert result.settings["own_model_dynamic_dims"] == "none" and cell.batch_size == cell.large_batch_size == 2
    (onnx,) = result.deploy_checks
    assert onnx.status == "failed" and "first unsupported op: aten._linalg_svd" in onnx.message, onnx.message
    settings = ModelSettings(
        source=source, described="PyTorch exported program (.pt2)", runtimes=["pytorch"], budget_s=8
    )
    run = ProbeRun(
        settings=ProbeSettings(
            frameworks=["pytorch"],
            workloads=[],
            modes=["eager"],
            device="cpu",
            precision="fp32",
            threads=1,
            budget="8",
            budget_s_per_framework=8,
            rounds=1,
            order=["pytorch"],
            deploy=["onnx"],
            model=settings,
        ),
        results=[],
        comparisons=[],
        wall_s=result.wall_s,
        model=ModelRun(results=[result]),
    )
    report = recommend(EXAMPLES / "own-model-mobile.yaml", evidence=run, draws=200)
    text = render(report)
    assert "## Your model" in text and "aten._linalg_svd" in text
    terms = {t.source: t.delta for c in report.criteria for t in c.ratings["pytorch"].terms}
    assert terms["evidence:model:deploy:production_serving"] == -1.0  # its one checked target failed


def test_a_factory_that_raises_ends_the_run_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    (tmp_path / "broken.py").write_text(
        "import torch\n\n\ndef make():\n    raise FileNotFoundError('weights/best.pt is missing')\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["probe", "--model", "broken.py:make", "--budget", "5", "--mode", "eager"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: broken.py:make: the factory raised FileNotFoundError: weights/best.pt is missing (at broken.py:5)"
    ], result.output
    assert "Traceback" not in result.output


TINY = """\
import torch


def make():
    return torch.nn.Linear(4, 2), torch.randn(3, 4)
"""


def test_a_child_that_crashes_keeps_the_checks_it_finished(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    (tmp_path / "tiny.py").write_text(TINY, encoding="utf-8")
    source = ModelSource(ref="tiny.py:make", kind="torch_factory", path=str(tmp_path / "tiny.py"), function="make")
    request = ProbeRequest(
        framework="pytorch",
        workloads=[],
        modes=[],
        device="cpu",
        threads=1,
        budget_s=5,
        deploy=["server", "onnx"],
        model=source,
    )
    result = run_probe(request, extra_env={"ADVISOR_PROBE_FAULT": "crash:deploy"})  # dies after the first check
    assert result.status == "crashed", result.message
    first, rest = result.deploy_checks[0], result.deploy_checks[1:]
    assert first.route.startswith("torch.export") and first.status == "ok"  # streamed before the crash
    assert [(c.target, c.status) for c in rest] == [("onnx", "not_checked")] and "not run" in rest[0].message
