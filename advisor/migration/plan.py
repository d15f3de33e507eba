"""Builds a migration plan for a spec: which strategy, which phases, the API map, effort and risks."""

from __future__ import annotations

from advisor.knowledge.load import KnowledgeBase
from advisor.migration import templates
from advisor.migration.effort import estimate
from advisor.migration.model import MapRow, MigrationPlan, Risk, Strategy, StrategyId
from advisor.rules.facts import codebase_family
from advisor.spec.model import CodebaseFramework, Experience, ProjectSpec, TargetKind

SERVER = {TargetKind.server_rest, TargetKind.server_grpc, TargetKind.serverless, TargetKind.batch}
DEVICE = {TargetKind.android, TargetKind.ios, TargetKind.edge_linux, TargetKind.microcontroller, TargetKind.browser}


def plan_migration(
    spec: ProjectSpec, kb: KnowledgeBase, target: str, measured_routes: tuple[str, ...] = ()
) -> MigrationPlan:
    """The plan for moving ``spec``'s existing code to ``target`` (or why no migration is needed).

    ``measured_routes`` are the target framework's deployment checks from a probe run, one line each;
    they replace the plan's "not measured" caveat with evidence that each route works (or does not).
    """
    source = codebase_family(spec)
    name = kb.frameworks[target].name
    if source == "none" or (spec.codebase.size_known and spec.codebase.lines == 0 and spec.codebase.model_count == 0):
        return MigrationPlan(
            needed=False,
            source=None,
            target=target,
            reason=f"There is no existing ML code to move: start directly in {name}.",
        )
    if source == target:
        costs = _staying_costs(spec, kb, target)
        return MigrationPlan(
            needed=False,
            source=source,
            target=target,
            staying_costs=costs,
            reason=f"The existing code already uses {name}: no migration. Staying is still a "
            "decision with costs of its own, listed below.",
            cites=tuple(kb_id for kb_id, _ in templates.STAYING_COSTS.get(target, ()) if kb_id in kb.entries),
        )
    share = 0.5 if source == "mixed" else 1.0
    strategies = _strategies(spec, source, target)
    chosen, why = _recommend(spec, source, target, strategies)
    template = templates.STRATEGIES[chosen]
    effort = estimate(spec, target, template.factor, template.name, share)
    measured = tuple(f"Measured on this machine: {line}" for line in measured_routes)
    verification = (*templates.VERIFICATION, *(measured or (templates.DEPLOYMENT_CHECK_GAP,)))
    return MigrationPlan(
        needed=True,
        source=source,
        target=target,
        reason=(
            f"The existing {kb.frameworks[source].name if source in kb.frameworks else source} code "
            f"({spec.codebase.describe_size()}) must move to {name}."
        ),
        strategies=strategies,
        recommended=chosen,
        recommendation_why=why,
        phases=templates.PHASES,
        api_map=_api_map(spec, kb, source, target),
        effort=effort,
        risks=_risks(spec, target),
        verification=verification,
        cites=tuple(dict.fromkeys(c for s in strategies for c in s.cites if c in kb.entries)),
    )


def _keras_code(spec: ProjectSpec) -> bool:
    return spec.codebase.framework is CodebaseFramework.keras or spec.codebase.keras_version is not None


def _strategies(spec: ProjectSpec, source: str, target: str) -> tuple[Strategy, ...]:
    keras_ok = _keras_code(spec) and source == "tensorflow" and target == "pytorch"
    reasons = {
        "full_rewrite": (True, "always possible; cost grows with every model and line"),
        "incremental": (True, "keeps production running; both stacks coexist until the old models retire"),
        "convert_and_freeze": (True, "for models that are only served, not retrained; training stays behind"),
        "keras3_backend": (
            keras_ok,
            "the code is Keras: Keras 3 runs it on the PyTorch backend"
            if keras_ok
            else "only for Keras code moving to PyTorch",
        ),
    }
    if keras_ok and spec.codebase.ops:
        reasons["keras3_backend"] = (
            True,
            f"possible, but the {spec.codebase.ops} custom ops are tf.* code the backend switch cannot carry",
        )
    return tuple(
        Strategy(
            id=sid,
            name=t.name,
            summary=t.summary,
            applicable=reasons[sid][0],  # type: ignore[arg-type]
            why=reasons[sid][1],
            effort_factor=t.factor,
            cites=t.cites,
        )
        for sid, t in templates.STRATEGIES.items()
    )


def _recommend(spec: ProjectSpec, source: str, target: str, strategies: tuple[Strategy, ...]) -> tuple[StrategyId, str]:
    codebase = spec.codebase
    keras = next(s for s in strategies if s.id == "keras3_backend")
    if keras.applicable and not codebase.ops:
        upgrade = " after moving the Keras 2 code to Keras 3" if codebase.keras_version == 2 else ""
        return "keras3_backend", (
            f"the code is Keras without custom ops, so switching the backend{upgrade} "
            "reuses models, training code and skills instead of rewriting them"
        )
    if codebase.model_count >= 5 or codebase.lines >= 30_000:
        return "incremental", (
            f"{codebase.describe_size()} are too much to "
            "switch at once without freezing delivery; new work starts in the target"
        )
    return "full_rewrite", "the codebase is small enough to port in one go, which avoids running two stacks"


def _api_map(spec: ProjectSpec, kb: KnowledgeBase, source: str, target: str) -> tuple[MapRow, ...]:
    kinds = {t.kind.value for t in spec.deployment.targets}
    rows = []
    for m in kb.api_map:
        if m.applies_to and not kinds.intersection(m.applies_to):
            continue
        names = {"pytorch": m.pytorch, "tensorflow": m.tensorflow}
        rows.append(
            MapRow(
                id=m.id,
                area=m.area,
                source=names.get(source, f"{source} (see {m.tensorflow})"),
                target=names[target],
                equivalence=m.equivalence.value,
                note=m.note,
                references=tuple(f"{r.source} (as of {r.as_of.isoformat()})" for r in m.references),
                cites=tuple(m.cites),
            )
        )
    return tuple(sorted(rows, key=lambda r: ({"none": 0, "partial": 1, "direct": 2}[r.equivalence], r.area)))


def _risks(spec: ProjectSpec, target: str) -> tuple[Risk, ...]:
    kinds = {t.kind for t in spec.deployment.targets}
    risks = [
        Risk(
            risk="Numerical drift: the same model gives slightly different outputs in another framework.",
            mitigation="Agree tolerances per model in the inventory; compare on golden inputs with fixed seeds.",
        )
    ]
    if spec.codebase.ops:
        risks.append(
            Risk(
                risk=f"{spec.codebase.ops} custom op(s) have no automatic conversion.",
                mitigation="Port each first, behind op-level parity tests, before the models that use it.",
            )
        )
    if spec.codebase.model_count:
        risks.append(
            Risk(
                risk="Retraining cost and time for every ported model.",
                mitigation="Port weights where layers match (mind NHWC/NCHW layouts) and retrain only "
                "what changed; budget the compute in the inventory.",
            )
        )
    if kinds & SERVER:
        risks.append(
            Risk(
                risk="Serving downtime or regressions during the switch.",
                mitigation="Shadow traffic, then a canary with automatic rollback; keep the old path "
                "until the new one meets its latency budget.",
            )
        )
    if kinds & DEVICE:
        risks.append(
            Risk(
                risk="On-device runtimes differ (operator coverage, quantisation).",
                mitigation="Export the pilot model to each device target first; fix unsupported ops early.",
            )
        )
    if getattr(spec.team.experience, target) in (Experience.none, Experience.beginner):
        risks.append(
            Risk(
                risk=f"The team is new to {target}.",
                mitigation="Pair on the pilot model; budget training time before the estimate starts.",
            )
        )
    return tuple(risks)


def _staying_costs(spec: ProjectSpec, kb: KnowledgeBase, framework: str) -> tuple[str, ...]:
    kinds = {t.kind for t in spec.deployment.targets}
    conditions = {
        None: True,
        "keras2": spec.codebase.keras_version == 2,
        "huggingface": any(s.value == "huggingface" for s in spec.task.pretrained_sources),
        "browser": TargetKind.browser in kinds,
        "server": bool(kinds & SERVER),
    }
    return tuple(
        f"{kb.entries[kb_id].summary} [{kb_id}]"
        for kb_id, condition in templates.STAYING_COSTS.get(framework, ())
        if conditions[condition] and kb_id in kb.entries
    )
