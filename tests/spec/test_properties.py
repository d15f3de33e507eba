"""Property tests of the spec parser: valid specs round-trip; any input fails only with SpecError."""

from __future__ import annotations

import contextlib

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import SpecError
from advisor.knowledge.load import KnowledgeBase
from advisor.spec import model as m
from advisor.spec.load import parse_spec

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _enum(enum: type) -> st.SearchStrategy[str]:
    return st.sampled_from([member.value for member in enum])


targets = st.lists(
    st.fixed_dictionaries(
        {"kind": _enum(m.TargetKind)},
        optional={
            "required": st.booleans(),
            "latency_ms_p95": st.floats(min_value=0.1, max_value=1e5),
            "max_model_size_mb": st.floats(min_value=0.01, max_value=1e4),
        },
    ),
    max_size=4,
)
specs = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=40).filter(lambda s: s.strip()),
        "task": st.fixed_dictionaries(
            {"domain": _enum(m.Domain)},
            optional={
                "model_family": _enum(m.ModelFamily),
                "architecture": _enum(m.Architecture),
                "pretrained_sources": st.lists(_enum(m.PretrainedSource), max_size=3),
            },
        ),
    },
    optional={
        "deployment": st.fixed_dictionaries({"targets": targets}),
        "team": st.fixed_dictionaries(
            {"size": st.integers(1, 500)},
            optional={
                "experience": st.fixed_dictionaries(
                    {}, optional={fw: _enum(m.Experience) for fw in ("pytorch", "tensorflow", "jax")}
                )
            },
        ),
        "infrastructure": st.fixed_dictionaries(
            {},
            optional={"multi_gpu": st.booleans(), "accelerators": st.lists(_enum(m.Accelerator), max_size=3)},
        ),
        "priorities": st.dictionaries(
            st.sampled_from(["debugging", "browser", "team_fit"]), st.floats(0, 5), max_size=3
        ),
    },
)


@_SETTINGS
@given(specs)
def test_valid_specs_round_trip_through_yaml(kb: KnowledgeBase, data: dict) -> None:  # type: ignore[type-arg]
    spec = parse_spec(yaml.safe_dump(data, allow_unicode=True), kb)
    again = parse_spec(yaml.safe_dump(spec.model_dump(mode="json"), allow_unicode=True), kb)
    assert again == spec


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@_SETTINGS
@given(st.one_of(specs.flatmap(lambda s: st.just(s)), yaml_values), st.data())
def test_any_document_is_accepted_or_rejected_with_a_spec_error(
    kb: KnowledgeBase, doc: object, data: st.DataObject
) -> None:
    if isinstance(doc, dict) and doc and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(doc, key=str)))
        doc = {**doc, key: data.draw(yaml_values)}  # corrupt one field
    try:
        parse_spec(yaml.safe_dump(doc), kb, path="fuzz.yaml")
    except SpecError as error:
        assert error.path == "fuzz.yaml"
        assert str(error)


@_SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text_never_escapes_as_another_exception(kb: KnowledgeBase, text: str) -> None:
    with contextlib.suppress(SpecError):
        parse_spec(text, kb, path="fuzz.yaml")
