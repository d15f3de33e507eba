"""Scaling evidence in the decision: terms cited as evidence:scale:<metric> on distributed training,
only for comparisons that survived the noise checks, said in the note; shown in every report format;
several files (one per node, plus a probe run) read as one with ``--evidence`` repeated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor.api import load_evidence, recommend
from advisor.cli.commands import app
from advisor.errors import EvidenceError
from advisor.report.formats import renderer
from advisor.scoring.evidence import MAX_SHIFT, SCALE_CRITERION, evidence_from
from tests.conftest import EXAMPLES
from tests.probing import scaling

SPEC = EXAMPLES / "llm-finetuning-lab.yaml"  # trains across machines: distributed training weighs


def _terms(report, framework: str) -> list[str]:  # type: ignore[no-untyped-def]
    criterion = next(c for c in report.criteria if c.criterion == SCALE_CRITERION)
    return [t.source for t in criterion.ratings[framework].terms]


def test_a_counted_scaling_gap_moves_distributed_training_with_a_cited_term() -> None:
    run = scaling.run(scaling.section({"pytorch": 1.2, "jax": 2.0}))
    report = recommend(SPEC, evidence=run)
    assert "evidence:scale:efficiency" in _terms(report, "pytorch")
    assert "evidence:scale:efficiency" in _terms(report, "jax")
    shifts = evidence_from(run, ["pytorch", "tensorflow", "jax"]).terms
    up = next(t.delta for t in shifts[(SCALE_CRITERION, "pytorch")] if t.source == "evidence:scale:efficiency")
    down = next(t.delta for t in shifts[(SCALE_CRITERION, "jax")] if t.source == "evidence:scale:efficiency")
    assert up > 0 > down
    assert report.evidence.kind == "measured"
    assert "distributed training moves on" in report.evidence.note


def test_a_noisy_scaling_comparison_moves_nothing_and_the_note_says_so() -> None:
    run = scaling.run(scaling.section({"pytorch": 1.2, "jax": 1.3}, jitter=0.6))
    report = recommend(SPEC, evidence=run)
    assert not any(s.startswith("evidence:scale") for fw in ("pytorch", "jax") for s in _terms(report, fw))
    assert "Not counted (noise)" in report.evidence.note


def test_one_framework_alone_has_nothing_to_compare_and_says_so() -> None:
    report = recommend(SPEC, evidence=scaling.run(scaling.section({"pytorch": 1.2})))
    assert "no scaling comparison was possible" in report.evidence.note
    assert not any(s.startswith("evidence:scale") for s in _terms(report, "pytorch"))


@settings(max_examples=40, deadline=None)
@given(
    overheads=st.dictionaries(
        st.sampled_from(["pytorch", "tensorflow", "jax"]), st.floats(1.0, 64.0), min_size=2, max_size=3
    ),
    allreduce=st.dictionaries(st.sampled_from(["pytorch", "tensorflow", "jax"]), st.floats(1e-4, 1.0)),
)
def test_scaling_moves_a_rating_by_at_most_one_point(overheads: dict[str, float], allreduce: dict[str, float]) -> None:
    run = scaling.run(scaling.section(overheads, allreduce={k: v for k, v in allreduce.items() if k in overheads}))
    terms = evidence_from(run, ["pytorch", "tensorflow", "jax"]).terms
    for framework in overheads:
        total = sum(
            t.delta for t in terms.get((SCALE_CRITERION, framework), ()) if t.source.startswith("evidence:scale")
        )
        assert abs(total) <= MAX_SHIFT + 1e-9


@pytest.mark.parametrize("name", ["terminal", "markdown", "json", "html", "adr"])
def test_every_format_shows_the_scaling_table(name: str) -> None:
    report = recommend(SPEC, evidence=scaling.run(scaling.section({"pytorch": 1.2, "jax": 2.0})))
    text = renderer(name)(report)
    if name == "json":
        scale = json.loads(text)["evidence"]["probe"]["scale"]
        assert {r["framework"] for r in scale["rows"]} == {"pytorch", "jax"}
        assert scale["not_run"]  # CPU on one host: the GPU and multi-node paths say they did not run
    elif name == "adr":
        assert "evidence:scale:efficiency" in text or "Scaling" in text
    else:
        assert "Scaling probe" in text and "GPU collectives (NCCL) did not run" in text
    if name == "html":
        assert 'id="chart-scale-efficiency"' in text


def _save(tmp_path: Path, name: str, run) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(run.model_dump_json(indent=1))
    return path


def test_node_files_merge_with_evidence_repeated(tmp_path: Path) -> None:
    node0 = scaling.section({"pytorch": 1.2, "jax": 2.0}).model_copy(
        update={"settings": scaling.SETTINGS.model_copy(update={"nodes": 2})}
    )
    node1 = node0.model_copy(update={"nodes_seen": [1]})
    paths = [_save(tmp_path, "n0.json", scaling.run(node0)), _save(tmp_path, "n1.json", scaling.run(node1))]
    merged = load_evidence(*paths)
    assert merged.scale is not None and merged.scale.nodes_seen == [0, 1]
    result = CliRunner().invoke(
        app, ["recommend", str(SPEC), "-f", "markdown", "--evidence", str(paths[0]), "--evidence", str(paths[1])]
    )
    assert result.exit_code == 0, result.output
    assert "Scaling probe" in result.output and "evidence:scale" in result.output


def test_the_same_node_file_twice_is_one_clear_error(tmp_path: Path) -> None:
    path = _save(tmp_path, "n0.json", scaling.run(scaling.section({"pytorch": 1.2})))
    with pytest.raises(EvidenceError, match="repeat a node"):
        load_evidence(path, path)
    result = CliRunner().invoke(app, ["recommend", str(SPEC), "--evidence", str(path), "--evidence", str(path)])
    assert result.exit_code == 2
    assert "n0.json" in result.output and "Traceback" not in result.output
