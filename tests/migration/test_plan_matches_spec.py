"""Every plan agrees with its spec: no row, risk, phase or strategy for technology the spec does not have,
nothing the spec leaves unknown counted as zero, and what it has (TF1 code, serving software, TFX
pipelines, production models) in the phases and the effort. Run over every example and casebook spec,
to every framework other than the code's own."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from advisor.migration.model import MigrationPlan
from advisor.migration.plan import plan_migration
from advisor.spec.derived import codebase_family
from advisor.spec.load import parse_spec
from advisor.spec.model import ProjectSpec
from tests.scoring.test_arithmetic_properties import KB, SHIPPED

SERVER = {"server_rest", "server_grpc", "serverless", "batch"}
DEVICE = {"android", "ios", "edge_linux", "microcontroller", "browser"}
CANNOT_SERVE = {"tf_serving": {"pytorch"}, "torchserve": {"tensorflow", "jax"}, "vllm": {"tensorflow"}}


def _plans() -> list[tuple[str, ProjectSpec, MigrationPlan]]:
    out = []
    for data in SHIPPED:
        spec = parse_spec(yaml.safe_dump(data), KB)
        source = codebase_family(spec)
        for target in KB.frameworks:
            if source not in ("none", target):
                out.append((f"{data['name']} -> {target}", spec, plan_migration(spec, KB, target)))
    return out


PLANS = _plans()


def contradictions(spec: ProjectSpec, plan: MigrationPlan) -> list[str]:
    codebase, infra = spec.codebase, spec.infrastructure
    kinds = {t.kind.value for t in spec.deployment.targets}
    serving = {s.software.value for s in spec.deployment.serving}
    generations = {g.value for g in codebase.api_generations}
    keras = codebase.framework.value == "keras" or codebase.keras_version is not None
    sources = {p.value for p in spec.task.pretrained_sources}
    accelerators = {a.value for a in (*infra.accelerators, *infra.committed_accelerators)}
    rows = {r.id for r in plan.api_map} | set(plan.unmapped)
    text = " ".join(
        [plan.recommendation_why, *(r.risk for r in plan.risks), *(p.name + " " + p.goal for p in plan.phases)]
    )
    absent: dict[str, bool] = {
        "map-tf1-legacy": "tf1" not in generations,
        "map-ml-pipelines": "tfx" not in {m.value for m in infra.mlops_platforms},
        "map-data-validation": "tfx" not in {m.value for m in infra.mlops_platforms},
        "map-hf-model-classes": "huggingface" not in sources,
        "map-tpu-training": "tpu" not in accelerators,
        "map-keras3-backend": not keras,
        "map-custom-ops": codebase.custom_ops == 0,
        "map-mobile-edge": not kinds & {"android", "ios", "edge_linux"},
        "map-microcontrollers": "microcontroller" not in kinds,
        "map-browser": "browser" not in kinds,
        "map-quantization": not kinds & DEVICE,
        "map-serving": not kinds & {"server_rest", "server_grpc", "serverless"} and not serving,
        "map-graph-export": not kinds,
        "map-distributed": not (infra.multi_gpu or infra.multi_node),
    }
    problems = [
        f"row {row} for technology the spec does not have" for row, gone in absent.items() if gone and row in rows
    ]
    if "tf1" in generations and plan.recommended == "keras3_backend":
        problems.append("TF1 code on the Keras backend switch")
    if generations == {"tf1"} and any(s.id == "keras3_backend" and s.applicable for s in plan.strategies):
        problems.append("the backend switch offered for TF1-only code")
    if codebase.custom_ops != 0 and plan.recommended == "keras3_backend":
        problems.append("backend switch recommended with custom ops unknown or present")
    if plan.recommended == "keras3_backend" and (not keras or plan.target not in ("pytorch", "jax")):
        problems.append("backend switch recommended without Keras code moving to PyTorch or JAX")
    if codebase.custom_ops != 0 and ("without custom ops" in text or "no custom ops" in text):
        problems.append("says there are no custom ops")
    assert plan.effort is not None
    terms = {t.name: t for t in plan.effort.terms}
    ops = next(t for name, t in terms.items() if name.startswith("custom ops"))
    unknown = [codebase.custom_ops, codebase.models, codebase.lines_of_code]
    if codebase.custom_ops == "unknown" and (ops.quantity <= 0 or "unknown" not in ops.name):
        problems.append("unknown custom ops counted as zero")
    if "unknown" in unknown and plan.effort.high < 2.5 * plan.effort.point - 0.1:
        problems.append("an unknown the range does not widen for")
    if any(plan.target in CANNOT_SERVE.get(s, ()) for s in serving) and "serving stacks to replace" not in terms:
        problems.append("serving software that cannot serve the target costs nothing")
    tfx = "tfx" in {m.value for m in infra.mlops_platforms} and plan.target != "tensorflow"
    if tfx != any(name.startswith("TFX pipelines") for name in terms):
        problems.append("TFX pipelines and the effort disagree")
    phases = {p.name for p in plan.phases}
    if ("TF1-style code" in phases) != ("tf1" in generations):
        problems.append("TF1 phase and the code disagree")
    if ("ML pipelines" in phases) != tfx:
        problems.append("pipeline phase and TFX disagree")
    if ("Serving and deployment switch" in phases) != bool(kinds):
        problems.append("deployment switch phase and the targets disagree")
    risks = " ".join(r.risk for r in plan.risks)
    if not kinds & DEVICE and "On-device" in risks:
        problems.append("a device risk without a device target")
    if not kinds & SERVER and "Serving downtime" in risks:
        problems.append("a serving risk without a server target")
    if codebase.custom_ops == 0 and "custom op" in risks:
        problems.append("a custom-op risk without custom ops")
    if "tf1" not in generations and "TF1" in risks:
        problems.append("a TF1 risk without TF1 code")
    return problems


@pytest.mark.parametrize(("name", "spec", "plan"), PLANS, ids=[p[0] for p in PLANS])
def test_no_plan_contradicts_its_spec(name: str, spec: ProjectSpec, plan: MigrationPlan) -> None:
    assert contradictions(spec, plan) == []


def test_the_checks_catch_a_plan_that_ignores_the_spec() -> None:
    """The checker itself: the fraud platform's facts put against a plan made for a bare Keras project."""
    fraud: Any = next(s for n, s, p in PLANS if n.startswith("Card fraud"))
    bare = parse_spec(
        yaml.safe_dump(
            {
                "name": "x",
                "task": {"domain": "tabular"},
                "codebase": {
                    "framework": "keras",
                    "keras_version": 3,
                    "lines_of_code": 2000,
                    "models": 1,
                    "custom_ops": 0,
                },
                "deployment": {"targets": [{"kind": "android"}]},
            }
        ),
        KB,
    )
    problems = contradictions(fraud, plan_migration(bare, KB, "pytorch"))
    assert "TF1 code on the Keras backend switch" in problems
    assert "unknown custom ops counted as zero" in problems
    assert "serving software that cannot serve the target costs nothing" in problems
    assert any("map-mobile-edge" in p for p in problems)


def test_the_fraud_platform_plan_agrees_with_its_report() -> None:
    """Acceptance: recommend and migrate agree on the TF1 code, the unknowns and the serving stack."""
    from advisor.api import recommend
    from tests.conftest import EXAMPLES

    report = recommend(EXAMPLES / "fraud-scoring-platform.yaml")
    plan = next(p for n, s, p in PLANS if n == "Card fraud scoring platform -> pytorch")
    assert plan.recommended == "incremental" and "TF1" in plan.recommendation_why
    assert any(u.field == "codebase.custom_ops" for u in report.unknowns)
    assert plan.effort is not None and any("custom_ops" in a for a in plan.effort.assumptions)
    assert {t.name for t in plan.effort.terms} >= {
        "serving stacks to replace",
        "TFX pipelines to rebuild (one per model)",
    }
    assert plan.effort.calendar_weeks > 10  # twelve production models, a serving stack and TFX pipelines
    assert report.migration is not None
    staying = " ".join(report.migration.staying_costs) if not report.migration.needed else ""
    assert not report.migration.needed and "TF1-style code" in staying and "TensorFlow Serving" in staying
