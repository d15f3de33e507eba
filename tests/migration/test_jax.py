"""JAX as a migration source and target: plans in every direction, the Keras 3 route to JAX, and map rows
whose columns and closeness follow the pair of frameworks being moved between."""

from __future__ import annotations

import datetime as dt
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from advisor.api import load_context, validate
from advisor.cli.commands import app
from advisor.knowledge.model import ApiMapping
from advisor.migration.plan import plan_migration
from advisor.spec.model import CodebaseFramework, Experience, PretrainedSource, ProjectSpec
from tests.conftest import EXAMPLES

KB, _ = load_context()
FRAMEWORKS = ("pytorch", "tensorflow", "jax")


def _spec(name: str, **codebase: object) -> ProjectSpec:
    spec = validate(EXAMPLES / f"{name}.yaml")
    if codebase:
        spec = spec.model_copy(update={"codebase": spec.codebase.model_copy(update=codebase)})
    return spec


def _jax_code(name: str = "tpu-recommender", **codebase: object) -> ProjectSpec:
    return _spec(name, framework=CodebaseFramework.jax, keras_version=None, **codebase)


def _row(plan, row_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in plan.api_map if r.id == row_id)


def test_jax_to_pytorch_shows_the_jax_column_as_source_and_warns_about_functional_code() -> None:
    plan = plan_migration(_jax_code(), KB, "pytorch")
    assert plan.needed and plan.source == "jax" and plan.target == "pytorch"
    assert plan.recommended in ("full_rewrite", "incremental")
    assert not next(s for s in plan.strategies if s.id == "keras3_backend").applicable
    assert "jax2onnx" in next(s for s in plan.strategies if s.id == "convert_and_freeze").why
    layout = _row(plan, "map-tensor-layout")
    row = next(m for m in KB.api_map if m.id == "map-tensor-layout")
    assert (layout.source, layout.target, layout.equivalence) == (row.jax, row.pytorch, "partial")
    assert any("Functional JAX code" in r.risk for r in plan.risks)
    assert not any("tracing model" in r.risk for r in plan.risks)  # that one is for moves to JAX


def test_keras_code_without_custom_ops_moves_to_jax_by_switching_the_backend() -> None:
    plan = plan_migration(_spec("keras-enterprise-forecasting", custom_ops=0), KB, "jax")
    assert plan.needed and plan.source == "tensorflow" and plan.recommended == "keras3_backend"
    keras = next(s for s in plan.strategies if s.id == "keras3_backend")
    assert "JAX backend" in keras.summary and "KERAS_BACKEND=jax" in keras.why and "stateless" in keras.why
    assert "Keras 2 code to Keras 3" in plan.recommendation_why  # the example is Keras 2 code
    route = _row(plan, "map-keras3-backend")
    assert "KERAS_BACKEND=jax" in route.target and "tf.*" in route.note
    assert "keras3-backend-switch-path" in plan.cites
    assert plan.effort is not None and any("jax" in name for name, _, _ in plan.effort.factors)


def test_keras_code_with_custom_ops_is_warned_off_the_jax_backend_switch_too() -> None:
    plan = plan_migration(_spec("keras-enterprise-forecasting"), KB, "jax")
    keras = next(s for s in plan.strategies if s.id == "keras3_backend")
    assert keras.applicable and "custom ops" in keras.why and plan.recommended != "keras3_backend"


def test_pytorch_to_jax_lists_the_jax_specific_risks() -> None:
    spec = _spec("edge-asr-robotics")
    assert any(s is PretrainedSource.huggingface for s in spec.task.pretrained_sources)
    plan = plan_migration(spec, KB, "jax")
    assert plan.needed and plan.source == "pytorch" and plan.target == "jax"
    assert not next(s for s in plan.strategies if s.id == "keras3_backend").applicable
    risks = " ".join(r.risk for r in plan.risks)
    for words in ("tracing model", "PRNG key", "Transformers v5", "no serving or on-device runtime"):
        assert words in risks, words
    model = _row(plan, "map-model-definition")
    assert model.source.startswith("torch.nn.Module") and "flax.nnx.Module" in model.target


def test_every_ordered_pair_shows_its_own_two_columns() -> None:
    spec = _spec("edge-asr-robotics")
    for source, target in permutations(FRAMEWORKS, 2):
        family = {"pytorch": CodebaseFramework.pytorch, "tensorflow": CodebaseFramework.tensorflow}
        changed = spec.model_copy(
            update={
                "codebase": spec.codebase.model_copy(
                    update={"framework": family.get(source, CodebaseFramework.jax), "keras_version": None}
                )
            }
        )
        plan = plan_migration(changed, KB, target)
        assert plan.source == source and plan.api_map and not plan.unmapped, (source, target)
        for shown in plan.api_map:
            row = next(m for m in KB.api_map if m.id == shown.id)
            assert shown.source == row.counterpart(source) and shown.target == row.counterpart(target)
            pair = row.pair(source, target)
            assert pair is not None and shown.equivalence == pair[0].value and shown.note == pair[1]


def test_closeness_to_jax_can_differ_between_the_pairs_and_is_symmetric() -> None:
    layout = next(m for m in KB.api_map if m.id == "map-tensor-layout")
    assert layout.pair("tensorflow", "jax")[0].value == "direct"  # type: ignore[index]
    assert layout.pair("pytorch", "jax")[0].value == "partial"  # type: ignore[index]
    for a, b in permutations(FRAMEWORKS, 2):
        assert layout.pair(a, b) == layout.pair(b, a)
    tfx = next(m for m in KB.api_map if m.id == "map-ml-pipelines")
    assert tfx.pair("tensorflow", "jax")[0].value == "none" and tfx.pair("pytorch", "jax")[0].value == "direct"  # type: ignore[index]


def test_every_map_row_has_a_dated_and_cited_jax_column() -> None:
    for row in KB.api_map:
        assert row.jax and row.jax_note and row.jax_references, row.id
        assert all(isinstance(r.as_of, dt.date) for r in row.jax_references), row.id
        assert all(c in KB.entries for c in (*row.cites, *row.jax_cites)), row.id
    ids = {row.id for row in KB.api_map}
    assert {"map-optimizers", "map-mutable-state", "map-profiling"} <= ids


BASE_ROW = {
    "id": "map-example",
    "area": "Example",
    "pytorch": "pt",
    "tensorflow": "tf",
    "equivalence": "direct",
    "note": "what differs, in our words",
    "references": [{"source": "https://example.org", "as_of": "2026-11-29"}],
    "reviewed": "2026-11-29",
}
JAX_COLUMN = {
    "jax": "jx",
    "jax_equivalence": "partial",
    "jax_note": "what differs for JAX, in our words",
    "jax_references": [{"source": "https://example.org/jax", "as_of": "2026-11-29"}],
}


def test_rows_without_a_jax_column_stay_valid_and_map_only_pytorch_and_tensorflow() -> None:
    row = ApiMapping.model_validate(BASE_ROW)
    assert row.pair("pytorch", "tensorflow") is not None and row.pair("jax", "pytorch") is None
    assert row.counterpart("jax") is None


@pytest.mark.parametrize(
    "change",
    [
        {"jax_note": None},  # an incomplete JAX column
        {"jax_references": []},
        {"jax_equivalence": {"pytorch": "partial", "tensorflow": "partial"}},  # same value twice
        {"jax_equivalence": {"pytorch": "partial"}},  # one pair missing
        {"jax_equivalence": {"pytorch": "partial", "mxnet": "none"}},
    ],
)
def test_an_incomplete_or_ambiguous_jax_column_is_rejected(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ApiMapping.model_validate({**BASE_ROW, **JAX_COLUMN, **change})


def test_mixed_code_moving_to_jax_moves_all_of_it_and_names_both_sources() -> None:
    mixed = _spec("tpu-recommender", framework=CodebaseFramework.mixed)
    to_jax = plan_migration(mixed, KB, "jax")
    to_pytorch = plan_migration(mixed, KB, "pytorch")
    assert to_jax.effort is not None and to_pytorch.effort is not None
    assert not any("mixed codebase" in a for a in to_jax.effort.assumptions)
    assert any("mixed codebase" in a for a in to_pytorch.effort.assumptions)
    model = _row(to_jax, "map-model-definition")
    assert "TensorFlow" in model.source and "PyTorch" in model.source
    layout = _row(to_jax, "map-tensor-layout")
    assert layout.equivalence == "partial"  # the weaker of direct (from TF) and partial (from PyTorch)
    assert not _row(to_pytorch, "map-model-definition").source.startswith("mixed")


def test_staying_on_jax_names_its_costs() -> None:
    spec = _jax_code()
    spec = spec.model_copy(
        update={"task": spec.task.model_copy(update={"pretrained_sources": [PretrainedSource.huggingface]})}
    )
    plan = plan_migration(spec, KB, "jax")
    assert not plan.needed and "no migration" in plan.reason
    assert any("hf-transformers-v5-pytorch-only" in c for c in plan.staying_costs)
    assert "hf-transformers-v5-pytorch-only" in plan.cites
    # only the costs that apply are cited: this spec serves in batch, on Linux, with no browser target
    assert all(any(f"[{kb_id}]" in c for c in plan.staying_costs) for kb_id in plan.cites)
    assert "jax-browser-only-via-onnx" not in plan.cites and "jax-apple-gpu-unsupported" not in plan.cites


def test_rows_with_no_column_for_the_pair_are_listed_not_hidden() -> None:
    from advisor.report._migration_markdown import migration_markdown
    from advisor.report.terminal_migration import render

    plan = plan_migration(_spec("edge-asr-robotics"), KB, "jax")
    plan = plan.model_copy(update={"unmapped": ("map-example",)})
    names = {fid: f.name for fid, f in KB.frameworks.items()}
    markdown = "\n".join(migration_markdown(plan, names, lambda ids: ", ".join(ids)))
    assert "Not yet mapped for this pair of frameworks (check by hand): map-example." in markdown
    assert "Not yet mapped" in render(plan, names, "spec.yaml", width=200)


@settings(max_examples=25, deadline=None)
@given(st.integers(1_000, 200_000), st.integers(0, 5))
def test_more_jax_experience_never_costs_more(loc: int, ops: int) -> None:
    base = _spec("edge-asr-robotics", lines_of_code=loc, custom_ops=ops)
    efforts = []
    for level in (Experience.none, Experience.beginner, Experience.intermediate, Experience.expert):
        experience = base.team.experience.model_copy(update={"jax": level})
        spec = base.model_copy(update={"team": base.team.model_copy(update={"experience": experience})})
        plan = plan_migration(spec, KB, "jax")
        assert plan.effort is not None
        efforts.append(plan.effort.point)
    assert efforts == sorted(efforts, reverse=True)


def test_cli_plans_a_move_to_jax() -> None:
    runner = CliRunner()
    spec = str(EXAMPLES / "keras-enterprise-forecasting.yaml")
    summary = runner.invoke(app, ["migrate", spec, "--to", "jax"], env={"COLUMNS": "100"})
    assert summary.exit_code == 0, summary.output
    said = " ".join(summary.stdout.split())  # the terminal wraps where the spec's path makes it wrap
    assert "TensorFlow / Keras to JAX" in said and "--to jax -f markdown" in said
    full = runner.invoke(app, ["migrate", spec, "--to", "jax", "-f", "markdown"])
    assert full.exit_code == 0 and "## Migration plan: to JAX" in full.stdout and "flax.nnx.Module" in full.stdout
