"""The public library API: what the CLI calls and what Python users may rely on.

Everything named in ``__all__`` is public and keeps its signature within a major version; the result
types it returns (:class:`Recommendation`, :class:`MigrationPlan`, :class:`ProbeRun`) are versioned
documents (``advisor schema --report`` / ``--probe``). Anything else under ``advisor`` is internal.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.knowledge.load import KnowledgeBase, load_knowledge
from advisor.rules.load import load_rules
from advisor.rules.model import Rule
from advisor.scoring.draws import DEFAULT_DRAWS, DEFAULT_SEED
from advisor.scoring.evaluate import evaluate
from advisor.scoring.result import Recommendation
from advisor.spec.load import load_spec
from advisor.spec.model import ProjectSpec

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "KnowledgeBase",
    "ProjectSpec",
    "Recommendation",
    "Rule",
    "load_context",
    "load_evidence",
    "migrate",
    "probe_settings",
    "recommend",
    "run_probes",
    "validate",
]

if TYPE_CHECKING:
    from advisor.evidence.probe_run import ProbeRun, ProbeSettings
    from advisor.migration.model import MigrationPlan
    from advisor.probing.run import OnEvent
    from advisor.scoring.result import CitedEntry


def load_context(
    knowledge_dir: Path | None = None, rules_dir: Path | None = None
) -> tuple[KnowledgeBase, tuple[Rule, ...]]:
    """The knowledge base and rules (the shipped ones unless directories are given).

    Served from the content-hashed cache (:mod:`advisor._cache`) when no file under either folder and
    no line of this package has changed since it was written; otherwise loaded and checked afresh.
    """
    from advisor._cache import cached
    from advisor.paths import data_dir

    try:
        roots = (knowledge_dir or data_dir("knowledge_base"), rules_dir or data_dir("rules"))
    except FileNotFoundError:  # a broken installation: let the loaders say which folder is missing
        return _load_context(knowledge_dir, rules_dir)
    return cached("context", roots, lambda: _load_context(*roots), _is_context)


def _load_context(knowledge_dir: Path | None, rules_dir: Path | None) -> tuple[KnowledgeBase, tuple[Rule, ...]]:
    kb = load_knowledge(knowledge_dir)
    return kb, load_rules(kb, rules_dir)


def _is_context(value: object) -> bool:
    """The shape of a cached context (the cache checks contents and versions; this guards the type)."""
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], KnowledgeBase)
        and isinstance(value[1], tuple)
        and all(isinstance(rule, Rule) for rule in value[1])
    )


def recommend(
    spec_path: Path | str,
    *,
    knowledge_dir: Path | None = None,
    rules_dir: Path | None = None,
    seed: int = DEFAULT_SEED,
    draws: int = DEFAULT_DRAWS,
    generated_at: str | None = None,
    evidence: ProbeRun | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
) -> Recommendation:
    """Read the spec at ``spec_path`` and recommend a framework for it (``evidence``: measurements;
    ``as_of``: with the knowledge valid on that date; ``today``: the date review dates are checked on)."""
    kb, rules = load_context(knowledge_dir, rules_dir)
    spec = load_spec(spec_path, kb)
    return evaluate(
        spec,
        kb,
        rules,
        spec_file=str(spec_path),  # as the user gave it: the report's pointers must work where they ran
        seed=seed,
        draws=draws,
        generated_at=generated_at,
        evidence=evidence,
        as_of=as_of,
        today=today,
    )


def validate(spec_path: Path | str, knowledge_dir: Path | None = None) -> ProjectSpec:
    """Check a spec (schema and names) without evaluating it."""
    # The shipped base comes from the cached load (with its rules); a custom folder is loaded alone, since
    # the shipped rules may cite entries it does not have.
    kb = load_knowledge(knowledge_dir) if knowledge_dir is not None else load_context()[0]
    return load_spec(spec_path, kb)


def probe_settings(*, spec: ProjectSpec | None = None, **options: Any) -> ProbeSettings:
    """Settings for a probe run (see :func:`advisor.probing.plan.settings`)."""
    from advisor.probing.plan import settings

    return settings(spec=spec, **options)


def run_probes(settings: ProbeSettings, on_event: OnEvent | None = None) -> ProbeRun:
    """Run the probes in child processes (never in this process)."""
    from advisor.probing.run import run_probes as run

    return run(settings, on_event=on_event)


def load_evidence(path: Path | str) -> ProbeRun:
    """Read a saved probe run (``advisor probe --output``); errors name the file, line and field."""
    from advisor._loading import validate_document
    from advisor.errors import EvidenceError
    from advisor.evidence.probe_run import PROBE_RUN_SCHEMA_VERSION, ProbeRun
    from advisor.yaml_io import read_yaml

    run = validate_document(read_yaml(path, EvidenceError), ProbeRun, EvidenceError)
    if run.schema_version.split(".")[0] != PROBE_RUN_SCHEMA_VERSION.split(".")[0]:
        raise EvidenceError(
            f"schema version {run.schema_version} is not {PROBE_RUN_SCHEMA_VERSION}",
            path=str(path),
            field="schema_version",
            hint="re-run advisor probe",
        )
    return run


def migrate(
    spec_path: Path | str,
    to: str | None = None,
    *,
    knowledge_dir: Path | None = None,
    rules_dir: Path | None = None,
    evidence: ProbeRun | None = None,
) -> tuple[MigrationPlan, dict[str, str], tuple[CitedEntry, ...]]:
    """The migration plan to ``to`` (default: the recommended one), framework names, and the cited entries."""
    from advisor.errors import AdvisorError
    from advisor.migration.plan import plan_migration

    kb, rules = load_context(knowledge_dir, rules_dir)
    spec = load_spec(spec_path, kb)
    if to is None:
        to = evaluate(spec, kb, rules, draws=100).winner
        if to is None:
            raise AdvisorError("no framework meets the hard constraints; name one with --to", field="--to")
    if to not in kb.frameworks:
        raise AdvisorError(f"unknown framework '{to}'", field="--to", hint="one of: " + ", ".join(kb.frameworks))
    from advisor.scoring.evaluate import measured_routes
    from advisor.scoring.explain import cite_entries

    plan = plan_migration(spec, kb, to, measured_routes(evidence, to))
    cited = cite_entries(kb, [*plan.cites, *(c for row in plan.api_map for c in row.cites)])
    return plan, {fid: f.name for fid, f in kb.frameworks.items()}, cited
