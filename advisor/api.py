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
    "run_scale",
    "scale_plan",
    "validate",
]

if TYPE_CHECKING:
    from collections.abc import Callable

    from advisor.evidence.probe_run import ProbeRun, ProbeSettings
    from advisor.migration.model import MigrationPlan
    from advisor.probing.plan import ScalePlan
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


def scale_plan(**options: Any) -> ScalePlan:
    """A scaling probe's plan (see :func:`advisor.probing.plan.scale_plan`)."""
    from advisor.probing.plan import scale_plan as plan

    return plan(**options)


def run_scale(plan: ScalePlan, *, budget: str = "quick", on_progress: Callable[[str], None] | None = None) -> ProbeRun:
    """Run the scaling probe: each framework at 1 and N workers on its own launcher, in worker processes."""
    from advisor.probing.scale import scale_probe

    return scale_probe(plan, budget=budget, on_progress=on_progress)


def load_evidence(*paths: Path | str) -> ProbeRun:
    """Read saved probe runs (``advisor probe --output``) as one; errors name the file, line and field.

    Several files merge: at most one run with single-device results (its settings lead), and scaling
    sections, one per node of a multi-node scaling run (:func:`advisor.probing.scale.merge_nodes`)."""
    from advisor.errors import EvidenceError

    runs = [_read_evidence(path) for path in paths]
    if len(runs) == 1:
        return runs[0]
    from advisor.probing.scale import merge_nodes

    measured = [(path, run) for path, run in zip(paths, runs, strict=True) if run.results or run.model]
    if len(measured) > 1:
        raise EvidenceError(
            "more than one of these files holds single-device probe results",
            path=str(measured[1][0]),
            hint="give one probe run, plus scaling files (advisor probe --scale)",
        )
    sections = [run.scale for run in runs if run.scale is not None]
    try:
        scale = merge_nodes(sections) if sections else None
    except ValueError as error:
        raise EvidenceError(str(error), path=str(paths[-1]), field="scale") from None
    lead = measured[0][1] if measured else runs[0]
    return lead.model_copy(update={"scale": scale, "wall_s": sum(run.wall_s for run in runs)})


def _read_evidence(path: Path | str) -> ProbeRun:
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
