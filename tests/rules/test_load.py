"""Broken rule files are rejected at load time with the file and field named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from advisor.errors import DataError
from advisor.knowledge.load import KnowledgeBase
from advisor.rules.load import load_rules


def _rule(**overrides: object) -> dict:  # type: ignore[type-arg]
    rule = {
        "id": "demo-rule",
        "summary": "A rule used by the loader tests.",
        "why": "Exercises validation.",
        "when": {"field": "deployment.targets[].kind", "in": ["android"]},
        "effects": [{"weight": {"criterion": "mobile_edge", "add": 1}}],
        "cites": [],
        "cases": {
            "fires": [{"name": "fires-a", "spec": {}}],
            "does_not_fire": [{"name": "quiet-b", "spec": {}}],
        },
    }
    rule.update(overrides)
    return rule


def _load(tmp_path: Path, kb: KnowledgeBase, rule: dict, name: str = "demo-rule") -> None:  # type: ignore[type-arg]
    if not rule["cites"]:
        rule["cites"] = [next(iter(kb.entries))]
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(rule))
    load_rules(kb, tmp_path)


def test_valid_rule_loads(tmp_path: Path, kb: KnowledgeBase) -> None:
    _load(tmp_path, kb, _rule())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"when": {"field": "deployment.target[].kind", "in": ["android"]}}, "no field 'target'"),
        ({"when": {"field": "deployment.targets[].kind", "in": ["androids"]}}, "'androids' is not one of"),
        ({"when": {"field": "team.size[]", "equals": 3}}, "not a list"),
        ({"cites": ["no-such-entry"]}, "unknown knowledge entry"),
        ({"effects": [{"weight": {"criterion": "speed", "add": 1}}]}, "unknown criterion"),
        ({"effects": [{"require": "flying"}]}, "unknown capability"),
        (
            {"effects": [{"rating": {"criterion": "team_fit", "framework": "{fw}", "delta": 1}}]},
            "per_framework",
        ),
        ({"when": {"field": "team.size", "equals": 3, "gte": 2}}, "exactly one operator"),
        ({"when": {"all": [{"feld": "team.size", "equals": 3}]}}, "unknown key"),
    ],
)
def test_broken_rule_is_rejected(tmp_path: Path, kb: KnowledgeBase, overrides: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(DataError, match=message) as caught:
        _load(tmp_path, kb, _rule(**overrides))
    assert caught.value.path is not None and caught.value.path.endswith("demo-rule.yaml")


def test_rule_id_must_match_file_name(tmp_path: Path, kb: KnowledgeBase) -> None:
    with pytest.raises(DataError, match="file name"):
        _load(tmp_path, kb, _rule(), name="other-name")


def test_matcher_error_names_the_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    with pytest.raises(DataError) as caught:
        _load(
            tmp_path,
            kb,
            _rule(when={"all": [{"field": "team.size", "equals": 3}, {"feld": "x", "equals": 1}]}),
        )
    assert caught.value.line is not None and caught.value.field == "when.all[1].feld"
