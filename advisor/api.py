"""The library API the CLI (and Python users) call. Loads data, reads the spec, evaluates."""

from __future__ import annotations

from pathlib import Path

from advisor.knowledge.load import KnowledgeBase, load_knowledge
from advisor.report.model import Recommendation
from advisor.rules.load import load_rules
from advisor.rules.model import Rule
from advisor.scoring.evaluate import DEFAULT_DRAWS, DEFAULT_SEED, evaluate
from advisor.spec.load import load_spec
from advisor.spec.model import ProjectSpec


def load_context(
    knowledge_dir: Path | None = None, rules_dir: Path | None = None
) -> tuple[KnowledgeBase, tuple[Rule, ...]]:
    """The knowledge base and rules (the shipped ones unless directories are given)."""
    kb = load_knowledge(knowledge_dir)
    return kb, load_rules(kb, rules_dir)


def recommend(
    spec_path: Path | str,
    *,
    knowledge_dir: Path | None = None,
    rules_dir: Path | None = None,
    seed: int = DEFAULT_SEED,
    draws: int = DEFAULT_DRAWS,
    generated_at: str | None = None,
) -> Recommendation:
    """Read the spec at ``spec_path`` and recommend a framework for it."""
    kb, rules = load_context(knowledge_dir, rules_dir)
    spec = load_spec(spec_path, kb)
    return evaluate(
        spec, kb, rules, spec_file=Path(spec_path).name, seed=seed, draws=draws, generated_at=generated_at
    )


def validate(spec_path: Path | str, knowledge_dir: Path | None = None) -> ProjectSpec:
    """Check a spec (schema and names) without evaluating it."""
    return load_spec(spec_path, load_knowledge(knowledge_dir))
