"""Bad specs give one located error (file, line, field) and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import SpecError
from advisor.knowledge.load import KnowledgeBase
from advisor.spec.load import load_spec, parse_spec

VALID = """\
name: Demo
task:
  domain: vision
deployment:
  targets:
    - kind: android
    - kind: browser
"""


def _error(text: str, kb: KnowledgeBase) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_spec(text, kb, path="spec.yaml")
    return caught.value


def test_minimal_spec_is_valid(kb: KnowledgeBase) -> None:
    spec = parse_spec(VALID, kb)
    assert spec.name == "Demo"
    assert [t.kind.value for t in spec.deployment.targets] == ["android", "browser"]


def test_wrong_enum_value_names_line_and_field(kb: KnowledgeBase) -> None:
    error = _error(VALID.replace("kind: browser", "kind: browsr"), kb)
    assert (error.path, error.line, error.field) == ("spec.yaml", 7, "deployment.targets[1].kind")
    assert "browser" in error.message
    assert str(error).startswith("spec.yaml:7: field 'deployment.targets[1].kind': must be")


def test_wrong_type_names_line_and_field(kb: KnowledgeBase) -> None:
    error = _error(VALID + "team:\n  size: many\n", kb)
    assert (error.line, error.field) == (9, "team.size")
    assert "'many'" in error.message


def test_unknown_key_suggests_the_close_one(kb: KnowledgeBase) -> None:
    error = _error(VALID.replace("  domain: vision", "  domian: vision\n  domain: vision"), kb)
    assert (error.line, error.field) == (3, "task.domian")
    assert "did you mean 'domain'" in error.message
    assert error.hint is not None and "model_family" in error.hint


def test_unknown_top_level_key(kb: KnowledgeBase) -> None:
    error = _error(VALID + "deploymnet: {}\n", kb)
    assert (error.line, error.field) == (8, "deploymnet")
    assert "did you mean 'deployment'" in error.message


def test_missing_required_field(kb: KnowledgeBase) -> None:
    error = _error("name: Demo\n", kb)
    assert error.field == "task"
    assert "required" in error.message


def test_bad_yaml_names_the_line(kb: KnowledgeBase) -> None:
    error = _error("name: Demo\ntask: [unclosed\n", kb)
    assert error.line == 3 and "invalid YAML" in error.message


def test_duplicate_key_is_an_error(kb: KnowledgeBase) -> None:
    error = _error("name: A\nname: B\ntask: {domain: nlp}\n", kb)
    assert (error.line, error.field) == (2, "name") and "duplicate" in error.message


def test_empty_file(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# only a comment\n")
    with pytest.raises(SpecError, match="file is empty"):
        load_spec(path, kb)


def test_missing_file(tmp_path: Path, kb: KnowledgeBase) -> None:
    with pytest.raises(SpecError, match="file not found") as caught:
        load_spec(tmp_path / "nope.yaml", kb)
    assert caught.value.path and caught.value.path.endswith("nope.yaml")


def test_top_level_list_is_rejected(kb: KnowledgeBase) -> None:
    assert "mapping" in _error("- a\n- b\n", kb).message


def test_unknown_priority_criterion_is_located(kb: KnowledgeBase) -> None:
    error = _error(VALID + "priorities:\n  debuging: 3\n", kb)
    assert (error.line, error.field) == (9, "priorities.debuging")
    assert "did you mean 'debugging'" in error.message


def test_unknown_capability_is_located(kb: KnowledgeBase) -> None:
    error = _error(VALID + "constraints:\n  required_capabilities: [teleportation]\n", kb)
    assert error.line == 9 and error.field == "constraints.required_capabilities[0]"


def test_yaml_tags_cannot_build_python_objects(kb: KnowledgeBase) -> None:
    error = _error("name: !!python/object/apply:os.system ['true']\ntask: {domain: nlp}\n", kb)
    assert "invalid YAML" in error.message


def test_priority_out_of_range(kb: KnowledgeBase) -> None:
    error = _error(VALID + "priorities:\n  debugging: 9\n", kb)
    assert error.field == "priorities.debugging" and error.line == 9
