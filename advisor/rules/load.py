"""Loads ``rules/*.yaml`` (one rule per file) and checks every name a rule uses.

Field paths must exist in the spec schema, enum values must be valid, and cited knowledge ids,
criteria, frameworks and capabilities must exist: a rule that could never fire is a load error.
"""

from __future__ import annotations

from pathlib import Path

from advisor._loading import load_model
from advisor.errors import DataError
from advisor.knowledge.load import KnowledgeBase
from advisor.matching import FW, check_matcher
from advisor.paths import data_dir
from advisor.rules.model import Rule
from advisor.spec.derived import RuleFacts


def load_rules(kb: KnowledgeBase, root: Path | None = None) -> tuple[Rule, ...]:
    """All rules in ``root`` (default: the shipped ``rules/``), sorted by id and cross-checked."""
    root = root or data_dir("rules")
    rules: list[Rule] = []
    for path in sorted(root.glob("*.yaml")):
        rule = load_model(path, Rule)
        if rule.id != path.stem:
            raise DataError(f"rule id '{rule.id}' must match the file name", path=str(path), field="id")
        _check(rule, path, kb)
        rules.append(rule)
    return tuple(rules)


def _fail(path: Path, field: str, message: str) -> DataError:
    return DataError(message, path=str(path), field=field)


def _check(rule: Rule, path: Path, kb: KnowledgeBase) -> None:
    frameworks = list(kb.frameworks) if rule.per_framework else [None]
    for cited in rule.cites:
        if cited not in kb.entries:
            raise _fail(path, "cites", f"unknown knowledge entry '{cited}'")
    for framework in frameworks:
        try:
            check_matcher(rule.when, RuleFacts, framework)
        except ValueError as exc:
            raise _fail(path, "when", str(exc)) from None
    for index, effect in enumerate(rule.effects):
        where = f"effects[{index}]"
        if effect.weight is not None and effect.weight.group is not None and effect.weight.group not in kb.groups:
            raise _fail(path, where, f"unknown group '{effect.weight.group}'")
        criterion = effect.rating.criterion if effect.rating else effect.weight.criterion if effect.weight else None
        if criterion is not None and criterion not in kb.criteria:
            raise _fail(path, where, f"unknown criterion '{criterion}'")
        if effect.rating is not None:
            name = effect.rating.framework
            if name == FW and not rule.per_framework:
                raise _fail(path, where, "'{fw}' needs per_framework: true")
            if name != FW and name not in kb.frameworks:
                raise _fail(path, where, f"unknown framework '{name}'")
        if effect.require is not None and effect.require not in kb.capabilities:
            raise _fail(path, where, f"unknown capability '{effect.require}'")
    for case in rule.cases.fires + rule.cases.does_not_fire:
        for name in case.fires_for or []:
            if name not in kb.frameworks:
                raise _fail(path, f"cases.{case.name}.fires_for", f"unknown framework '{name}'")
