"""Evaluates rules against a spec: which fire, and what they change (weights, ratings, requirements).

Pure functions over plain spec data (``ProjectSpec.model_dump(mode="json")``), so the generic rule
test and the scorer use exactly the same code path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.matching import matches, substitute
from advisor.rules.model import Rule
from advisor.rules.terms import Term


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
                    ratings[(effect.rating.criterion, fw)].append(
                        Term(source, effect.rating.delta, sd=effect.rating.sd)
                    )
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
