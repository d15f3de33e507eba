"""Training scale in the spec: accelerator count and model size, with unknown allowed and sizes like 7B."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.errors import SpecError
from advisor.knowledge.load import KnowledgeBase
from advisor.spec.load import parse_spec

SCALE = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9, "b": 10**9, "T": 10**12}


def _params(kb: KnowledgeBase, value: object) -> object:
    return parse_spec(f"name: x\ntask: {{domain: nlp, model_parameters: {value}}}\n", kb).task.model_parameters


@given(st.integers(1, 999), st.sampled_from(sorted(SCALE)))
def test_sizes_read_with_a_suffix(kb: KnowledgeBase, number: int, suffix: str) -> None:
    assert _params(kb, f"{number}{suffix}") == pytest.approx(number * SCALE[suffix])


@given(st.text(max_size=12))
def test_any_text_is_a_size_unknown_or_one_clear_error(kb: KnowledgeBase, text: str) -> None:
    try:
        value = _params(kb, repr(text))
    except SpecError as error:
        assert "model_parameters" in str(error)
    else:
        assert value == "unknown" or (isinstance(value, float) and value > 0)


def test_scale_defaults_to_unknown_and_is_in_the_schema(kb: KnowledgeBase) -> None:
    from advisor.spec.model import ProjectSpec

    spec = parse_spec("name: x\ntask: {domain: vision}\n", kb)
    assert spec.task.model_parameters == "unknown" and spec.infrastructure.training_accelerators == "unknown"
    schema = ProjectSpec.model_json_schema()
    text = str(schema)
    assert "model_parameters" in text and "training_accelerators" in text


@pytest.mark.parametrize("bad", ["0", "-5", "1e400", "lots"])
def test_a_bad_size_is_one_located_error(kb: KnowledgeBase, bad: str) -> None:
    with pytest.raises(SpecError) as error:
        _params(kb, bad)
    assert "task.model_parameters" in str(error.value)


def test_scale_rules_fire_only_above_their_scale(kb: KnowledgeBase, rules: tuple) -> None:  # type: ignore[type-arg]
    from advisor.scoring.evaluate import evaluate

    def fired(text: str) -> set[str]:
        return {r.id for r in evaluate(parse_spec(text, kb), kb, rules).fired_rules}

    small = fired("name: x\ntask: {domain: nlp, model_parameters: 300M}\ninfrastructure: {training_accelerators: 8}\n")
    frontier = fired(
        "name: x\ntask: {domain: nlp, model_parameters: 70B}\ninfrastructure: {training_accelerators: 2048}\n"
    )
    assert not small & {"frontier-scale-training", "multi-billion-parameter-model", "tens-of-accelerators-training"}
    assert {"frontier-scale-training", "multi-billion-parameter-model", "tens-of-accelerators-training"} <= frontier
