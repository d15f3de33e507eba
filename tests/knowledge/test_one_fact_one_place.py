"""One fact, one place: no fact moves the same rating twice.

A rule may raise weights, add spec-dependent terms and require capabilities, but it must not restate
the rating effect of an entry it cites; and two counted entries must not draw the same source into the
same criterion (that is one fact written twice).
"""

from __future__ import annotations

from collections import defaultdict

from advisor.knowledge.load import KnowledgeBase
from advisor.rules.model import Rule

FW = "{fw}"


def _frameworks(name: str, kb: KnowledgeBase) -> list[str]:
    return list(kb.frameworks) if name == FW else [name]


def test_no_rule_restates_an_entry_it_cites(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    doubles = []
    for rule in rules:
        for effect in rule.effects:
            if effect.rating is None:
                continue
            for cited in rule.cites:
                entry = kb.entries[cited]
                if entry.criterion != effect.rating.criterion or entry.weight == 0:
                    continue
                for fw in _frameworks(effect.rating.framework, kb):
                    if entry.effects.get(fw):
                        doubles.append(f"rule {rule.id} and entry {cited} both move {entry.criterion}/{fw}")
    assert doubles == []


def test_no_two_counted_entries_cite_one_source_for_one_criterion(kb: KnowledgeBase) -> None:
    by_source: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entry in kb.entries.values():
        if entry.weight == 0 or not any(entry.effects.values()):
            continue
        for reference in entry.references:
            if reference.source.startswith("seed:"):
                continue  # a seed is an article of many claims, not one fact
            by_source[(entry.criterion, reference.source.rstrip("/"))].append(entry.id)
    doubles = {key: ids for key, ids in by_source.items() if len(set(ids)) > 1}
    assert doubles == {}
