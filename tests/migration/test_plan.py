"""Migration plans: the right strategy per codebase, honest 'no migration' answers, effort that moves right."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.api import load_context, validate
from advisor.migration.plan import plan_migration
from advisor.spec.model import Experience, ProjectSpec
from tests.conftest import EXAMPLES

KB, _ = load_context()


def _spec(name: str, **codebase: object) -> ProjectSpec:
    spec = validate(EXAMPLES / f"{name}.yaml")
    if codebase:
        spec = spec.model_copy(update={"codebase": spec.codebase.model_copy(update=codebase)})
    return spec


def test_tensorflow_estate_to_pytorch_goes_incrementally() -> None:
    plan = plan_migration(_spec("tpu-recommender"), KB, "pytorch")
    assert plan.needed and plan.source == "tensorflow" and plan.recommended == "incremental"
    assert [p.name for p in plan.phases][:2] == ["Inventory", "Pilot model"] and all(
        p.exit_criteria for p in plan.phases
    )
    assert plan.effort is not None and plan.effort.low < plan.effort.point < plan.effort.high
    assert any("custom op" in r.risk for r in plan.risks)


def test_pytorch_to_tensorflow_small_codebase_is_a_rewrite() -> None:
    plan = plan_migration(_spec("edge-asr-robotics"), KB, "tensorflow")
    assert plan.needed and plan.source == "pytorch" and plan.recommended == "full_rewrite"
    keras = next(s for s in plan.strategies if s.id == "keras3_backend")
    assert not keras.applicable


def test_keras_code_without_custom_ops_takes_the_keras3_route() -> None:
    plan = plan_migration(_spec("keras-enterprise-forecasting", custom_ops=0), KB, "pytorch")
    assert plan.recommended == "keras3_backend" and "Keras 2 code to Keras 3" in plan.recommendation_why


def test_keras_code_with_custom_ops_is_warned_off_the_backend_switch() -> None:
    plan = plan_migration(_spec("keras-enterprise-forecasting"), KB, "pytorch")
    keras = next(s for s in plan.strategies if s.id == "keras3_backend")
    assert keras.applicable and "custom ops" in keras.why and plan.recommended != "keras3_backend"


def test_same_framework_needs_no_migration_but_says_what_staying_costs() -> None:
    plan = plan_migration(_spec("keras-enterprise-forecasting"), KB, "tensorflow")
    assert not plan.needed and "no migration" in plan.reason and plan.staying_costs
    assert any("tf-keras-legacy-package" in c for c in plan.staying_costs)  # Keras 2 code must still move


def test_greenfield_needs_no_migration() -> None:
    plan = plan_migration(_spec("llm-finetuning-lab"), KB, "pytorch")
    assert not plan.needed and "no existing ML code" in plan.reason


def test_api_map_rows_all_carry_dated_references() -> None:
    assert len(KB.api_map) >= 15
    for row in KB.api_map:
        assert row.references and all(r.as_of for r in row.references), row.id
    assert any(row.equivalence.value == "none" for row in KB.api_map)


def test_device_rows_only_appear_for_device_targets() -> None:
    server_only = plan_migration(_spec("tpu-recommender"), KB, "pytorch")
    on_device = plan_migration(_spec("edge-asr-robotics"), KB, "tensorflow")
    assert not any("android" in r.id or "mobile" in r.id for r in server_only.api_map)
    assert {r.id for r in on_device.api_map} - {r.id for r in server_only.api_map}


def _effort(spec: ProjectSpec, **codebase: object) -> float:
    changed = spec.model_copy(update={"codebase": spec.codebase.model_copy(update=codebase)})
    plan = plan_migration(changed, KB, "pytorch")
    assert plan.effort is not None
    return plan.effort.point


BASE = _spec("tpu-recommender")
sizes = st.integers(min_value=1_000, max_value=300_000)


@settings(max_examples=60, deadline=None)
@given(sizes, sizes, st.integers(0, 20), st.integers(1, 30))
def test_more_code_never_costs_less(a: int, b: int, ops: int, models: int) -> None:
    small, large = sorted((a, b))
    assert _effort(BASE, lines_of_code=small, custom_ops=ops, models=models) <= _effort(
        BASE, lines_of_code=large, custom_ops=ops, models=models
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 20), st.integers(0, 20), sizes)
def test_more_custom_ops_never_cost_less(a: int, b: int, loc: int) -> None:
    few, many = sorted((a, b))
    assert _effort(BASE, custom_ops=few, lines_of_code=loc) <= _effort(BASE, custom_ops=many, lines_of_code=loc)


@pytest.mark.parametrize("keras_version", [None, 3])
@settings(max_examples=30, deadline=None)
@given(sizes, st.integers(0, 5))
def test_more_experience_in_the_target_never_costs_more(keras_version: int | None, loc: int, ops: int) -> None:
    order = [Experience.none, Experience.beginner, Experience.intermediate, Experience.expert]
    efforts = []
    for level in order:
        team = BASE.team.model_copy(update={"experience": BASE.team.experience.model_copy(update={"pytorch": level})})
        spec = BASE.model_copy(update={"team": team})
        efforts.append(_effort(spec, lines_of_code=loc, custom_ops=ops, keras_version=keras_version))
    assert efforts == sorted(efforts, reverse=True)


def test_measured_deployment_checks_are_cited_in_the_verification_plan() -> None:
    from advisor.api import migrate
    from tests.probing import synthetic

    base = synthetic.run()
    check = synthetic.passing_check("server", "torch.export -> .pt2 -> torch.export.load", tolerance="fp32 tolerance")
    run = synthetic.with_deploy_checks(base, {"pytorch": [check], "tensorflow": [check]})
    plan, _, _ = migrate(EXAMPLES / "tpu-recommender.yaml", "pytorch", evidence=run)
    measured = [v for v in plan.verification if v.startswith("Measured on this machine")]
    assert measured and "torch.export -> .pt2" in measured[0] and ": ok;" in measured[0]
    plain, _, _ = migrate(EXAMPLES / "tpu-recommender.yaml", "pytorch")
    assert not any(v.startswith("Measured") for v in plain.verification)
    assert any("advisor recommend SPEC --probe" in v for v in plain.verification)
