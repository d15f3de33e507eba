"""Evaluates rules against a spec: which fire, and what they change (weights, ratings, requirements).

Pure functions over plain spec data (``ProjectSpec.model_dump(mode="json")``), so the generic rule
test and the scorer use exactly the same code path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.rules import paths
from advisor.rules.model import AllMatcher, AnyMatcher, FieldMatcher, Matcher, NotMatcher, Rule
from advisor.scoring.ratings import Term

FW = "{fw}"


@dataclass(frozen=True)
class Firing:
    """A rule that fired, for one framework when the rule is per-framework."""

    rule_id: str
    framework: str | None


@dataclass(frozen=True)
class WeightStep:
    """One rule's change to a criterion weight (op is set, add or scale)."""

    source: str
    op: str
    value: float


@dataclass(frozen=True)
class Note:
    rule_id: str
    text: str
    cites: tuple[str, ...]


@dataclass(frozen=True)
class RuleOutcome:
    """Everything the fired rules contribute to the decision, each item naming its rule."""

    firings: tuple[Firing, ...]
    weight_steps: Mapping[str, tuple[WeightStep, ...]]  # criterion or group id -> steps
    rating_terms: Mapping[tuple[str, str], tuple[Term, ...]]
    requirements: Mapping[str, tuple[str, ...]]  # capability -> rule ids that require it
    notes: tuple[Note, ...]


def substitute(value: Any, framework: str | None) -> Any:
    """Replace ``{fw}`` in strings (and lists of strings) by the framework id."""
    if framework is None:
        return value
    if isinstance(value, str):
        return value.replace(FW, framework)
    if isinstance(value, list):
        return [substitute(v, framework) for v in value]
    return value


def matches(matcher: Matcher, data: Any, framework: str | None = None) -> bool:
    """Whether ``data`` (plain spec data, or a list element under ``where``) satisfies ``matcher``."""
    if isinstance(matcher, AllMatcher):
        return all(matches(m, data, framework) for m in matcher.all)
    if isinstance(matcher, AnyMatcher):
        return any(matches(m, data, framework) for m in matcher.any)
    if isinstance(matcher, NotMatcher):
        return not matches(matcher.not_, data, framework)
    return _field_matches(matcher, data, framework)


def _field_matches(matcher: FieldMatcher, data: Any, framework: str | None) -> bool:
    values = [v for v in paths.resolve(data, substitute(matcher.field, framework)) if v is not None]
    op = matcher.operator
    if op == "exists":
        return bool(values) == matcher.exists
    if op == "where":
        assert matcher.where is not None
        return any(matches(matcher.where, v, framework) for v in values)
    expected = substitute(getattr(matcher, op), framework)
    if op == "equals":
        return any(v == expected for v in values)
    if op == "in_":
        return any(v in expected for v in values)
    if op == "contains":
        return any(isinstance(v, list) and expected in v for v in values)
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    compare = {
        "gte": lambda v: v >= expected,
        "lte": lambda v: v <= expected,
        "gt": lambda v: v > expected,
        "lt": lambda v: v < expected,
    }[op]
    return any(compare(v) for v in numbers)


def fired_for(rule: Rule, data: Any, frameworks: Sequence[str]) -> list[str | None]:
    """``[None]`` when a plain rule fires; the frameworks it fires for when per-framework."""
    if not rule.per_framework:
        return [None] if matches(rule.when, data) else []
    return [fw for fw in frameworks if matches(rule.when, data, fw)]


def apply_rules(data: Any, rules: Iterable[Rule], frameworks: Sequence[str]) -> RuleOutcome:
    """Fire every rule on ``data`` and collect its effects, in rule-id order (deterministic)."""
    firings: list[Firing] = []
    weights: dict[str, list[WeightStep]] = defaultdict(list)
    ratings: dict[tuple[str, str], list[Term]] = defaultdict(list)
    requirements: dict[str, list[str]] = defaultdict(list)
    notes: list[Note] = []
    for rule in sorted(rules, key=lambda r: r.id):
        for framework in fired_for(rule, data, frameworks):
            firings.append(Firing(rule.id, framework))
            source = f"rule:{rule.id}"
            for effect in rule.effects:
                if effect.weight is not None:
                    w = effect.weight
                    op = "set" if w.set is not None else "add" if w.add is not None else "scale"
                    weights[w.target].append(WeightStep(source, op, float(getattr(w, op))))
                elif effect.rating is not None:
                    fw = substitute(effect.rating.framework, framework)
                    ratings[(effect.rating.criterion, fw)].append(Term(source, effect.rating.delta))
                elif effect.require is not None:
                    if rule.id not in requirements[effect.require]:
                        requirements[effect.require].append(rule.id)
                elif effect.note is not None:
                    text = substitute(effect.note, framework)
                    notes.append(Note(rule.id, text, tuple(rule.cites)))
    return RuleOutcome(
        firings=tuple(firings),
        weight_steps={k: tuple(v) for k, v in weights.items()},
        rating_terms={k: tuple(v) for k, v in ratings.items()},
        requirements={k: tuple(v) for k, v in requirements.items()},
        notes=tuple(notes),
    )
