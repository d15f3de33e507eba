"""The team's own model outranks the synthetic workloads on the criteria it bears on (synthetic runs)."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.api import load_evidence, recommend
from advisor.evidence.probe_run import ModelRun, ModelSettings, ProbeRun
from advisor.evidence.protocol import CellResult, DeployCheck, ModelSource, ProbeResult
from advisor.probing.run import compare
from advisor.report.markdown import render
from advisor.scoring.evaluate import measured_routes
from advisor.scoring.evidence import MeasuredEvidence, evidence_from
from tests.conftest import EXAMPLES
from tests.probing.synthetic import cell, environment, passing_check, run, with_deploy_checks

FRAMEWORKS = ["pytorch", "tensorflow", "jax"]


def _own(kind: str, results: list[ProbeResult], runtimes: list[str], base: ProbeRun) -> ProbeRun:
    source = ModelSource(ref="net.py:make", kind=kind, path="/team/net.py", function="make")  # type: ignore[arg-type]
    settings = base.settings.model_copy(
        update={"model": ModelSettings(source=source, described="a model", runtimes=runtimes, budget_s=60)}
    )
    return base.model_copy(
        update={"settings": settings, "model": ModelRun(results=results, comparisons=compare(results))}
    )


def _result(framework: str, cells: list[CellResult], checks: list[DeployCheck] | None = None) -> ProbeResult:
    return ProbeResult(
        framework=framework,  # type: ignore[arg-type]
        status="ok",
        environment=environment(),
        cells=cells,
        deploy_checks=checks or [],
        wall_s=30,
        budget_s=180,
    )


def _failed(target: str, route: str, message: str, workload: str = "model") -> DeployCheck:
    return DeployCheck(target=target, workload=workload, route=route, status="failed", message=message)  # type: ignore[arg-type]


def _terms(measured: MeasuredEvidence, criterion: str, framework: str) -> dict[str, float]:
    terms = measured.terms.get((criterion, framework), ())
    return {t.source: t.delta for t in terms}


def test_the_models_checks_decide_the_deployment_criterion_a_target_reached_by_any_route() -> None:
    synthetic = with_deploy_checks(
        run(), {"pytorch": [_failed("mobile", "ExecuTorch", "lstm: unsupported", workload="lstm")]}
    )
    own_checks = [
        passing_check("mobile", "ExecuTorch", workload="model"),
        _failed("mobile", "litert-torch", "first unsupported op: aten._linalg_svd"),
    ]
    reached = _own("torch_factory", [_result("pytorch", [], own_checks)], ["pytorch"], synthetic)
    assert (
        _terms(evidence_from(reached, FRAMEWORKS), "mobile_edge", "pytorch") == {}
    )  # the synthetic failure is replaced
    missed = _own("torch_factory", [_result("pytorch", [], own_checks[1:])], ["pytorch"], synthetic)
    terms = _terms(evidence_from(missed, FRAMEWORKS), "mobile_edge", "pytorch")
    assert terms == {"evidence:model:deploy:mobile_edge": -1.0}
    assert _terms(evidence_from(synthetic, FRAMEWORKS), "mobile_edge", "pytorch") == {
        "evidence:deploy:mobile_edge": -1.0
    }


def test_a_keras_models_comparison_replaces_the_synthetic_one_for_its_pair() -> None:
    synthetic = run(torch_step=0.010, tf_step=0.020)  # the synthetic CNN: PyTorch twice as fast
    own = [
        _result("pytorch", [cell("model", "compiled", 0.040, 0.002, 11)]),
        _result(
            "tensorflow", [cell("model", "compiled", 0.020, 0.002, 12)]
        ),  # the team's model: TensorFlow twice as fast
    ]
    measured = evidence_from(_own("keras_factory", own, ["tensorflow", "pytorch"], synthetic), FRAMEWORKS)
    assert _terms(measured, "training_performance", "tensorflow") == {"evidence:model:train_step_time": 0.5}
    assert _terms(measured, "training_performance", "pytorch") == {"evidence:model:train_step_time": -0.5}
    assert measured.model_uses["training_performance"].counted == 1


def test_an_eager_comparison_is_not_used_against_a_measured_compiled_step() -> None:
    synthetic = run(torch_step=0.010, tf_step=0.020)
    stopped = CellResult(workload="model", mode="compiled", status="budget_exceeded", message="first step 30 s")
    own = [
        _result("pytorch", [cell("model", "eager", 0.010, 0.002, 11), stopped]),
        _result("tensorflow", [cell("model", "eager", 0.040, 0.002, 12), cell("model", "compiled", 0.005, 0.001, 13)]),
    ]
    measured = evidence_from(_own("keras_factory", own, ["tensorflow", "pytorch"], synthetic), FRAMEWORKS)
    assert not measured.model_uses  # PyTorch eager vs TensorFlow eager would hide TensorFlow's compiled step
    assert "evidence:train_step_time" in _terms(measured, "training_performance", "pytorch")  # synthetic stays


def test_the_migration_verification_and_the_report_put_the_model_first() -> None:
    synthetic = with_deploy_checks(run(), {"pytorch": [passing_check("mobile", "ExecuTorch synthetic")]})
    own = _own(
        "torch_factory",
        [_result("pytorch", [], [passing_check("mobile", "ExecuTorch own", workload="model")])],
        ["pytorch"],
        synthetic,
    )
    lines = measured_routes(own, "pytorch")
    assert lines[0].startswith("your model net.py:make: ExecuTorch own (mobile): ok") and "synthetic" in lines[1]
    text = render(recommend(EXAMPLES / "own-model-mobile.yaml", evidence=own, draws=200))
    assert text.index("## Your model") < text.index("## Measured evidence")
    assert "ExecuTorch own on your model: ok" in text  # the stack section quotes the model's own check


def test_a_schema_1_2_run_still_reads(tmp_path: Path) -> None:
    document = json.loads(run().model_dump_json())
    document["schema_version"] = "1.2"
    document.pop("model")
    document["settings"].pop("model")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    old = load_evidence(path)
    assert old.model is None and old.settings.model is None and old.comparisons
