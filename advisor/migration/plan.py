"""Builds a migration plan for a spec: which strategy, which phases, the API map, effort and risks."""

from __future__ import annotations

from advisor.knowledge.load import KnowledgeBase
from advisor.migration import templates
from advisor.migration.effort import estimate
from advisor.migration.model import MapRow, MigrationPlan, Risk, Strategy, StrategyId
from advisor.rules.facts import codebase_family
from advisor.spec.model import CodebaseFramework, Experience, OperatingSystem, ProjectSpec, TargetKind

MIXED_FAMILIES = ("tensorflow", "pytorch")  # what codebase.framework: mixed is made of
KERAS_BACKENDS = {"pytorch": ("PyTorch", "torch"), "jax": ("JAX", "jax")}  # targets Keras 3 can run on
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
            staying_costs=tuple(f"{kb.entries[kb_id].summary} [{kb_id}]" for kb_id in costs),
            reason=f"The existing code already uses {name}: no migration. Staying is still a "
            "decision with costs of its own, listed below.",
            cites=costs,
        )
    # mixed code is part PyTorch, part TensorFlow: moving to one of them leaves that part where it is
    share = 0.5 if source == "mixed" and target in MIXED_FAMILIES else 1.0
    strategies = _strategies(spec, source, target)
    chosen, why = _recommend(spec, source, target, strategies)
    template = templates.STRATEGIES[chosen]
    effort = estimate(spec, target, template.factor, template.name, share)
    api_map, unmapped = _api_map(spec, kb, source, target)
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
        api_map=api_map,
        unmapped=unmapped,
        effort=effort,
        risks=_risks(spec, source, target),
        verification=verification,
        cites=tuple(dict.fromkeys(c for s in strategies for c in s.cites if c in kb.entries)),
    )


def _keras_code(spec: ProjectSpec) -> bool:
    return spec.codebase.framework is CodebaseFramework.keras or spec.codebase.keras_version is not None


def _strategies(spec: ProjectSpec, source: str, target: str) -> tuple[Strategy, ...]:
    backend = KERAS_BACKENDS.get(target)
    keras_ok = _keras_code(spec) and source == "tensorflow" and backend is not None
    reasons = {
        "full_rewrite": (True, "always possible; cost grows with every model and line"),
        "incremental": (True, "keeps production running; both stacks coexist until the old models retire"),
        "convert_and_freeze": (True, "for models that are only served, not retrained; training stays behind"),
        "keras3_backend": (False, "only for Keras code moving to PyTorch or JAX"),
    }
    if source == "jax":
        reasons["convert_and_freeze"] = (
            True,
            "for models that are only served, not retrained; JAX has no first-party ONNX exporter, so "
            "the export goes through the third-party jax2onnx (or a SavedModel for TensorFlow runtimes)",
        )
    if keras_ok and backend is not None:
        name, env = backend
        why = f"the code is Keras: Keras 3 runs it on the {name} backend (KERAS_BACKEND={env})"
        if target == "jax":
            why += "; overridden train_step methods and custom loops must be rewritten in JAX's stateless style"
        reasons["keras3_backend"] = (True, why)
        if spec.codebase.ops:
            reasons["keras3_backend"] = (
                True,
                f"possible, but the {spec.codebase.ops} custom ops are tf.* code the backend switch cannot carry",
            )
    summaries = {"keras3_backend": {"backend": backend[0] if backend else "PyTorch or JAX"}}
    return tuple(
        Strategy(
            id=sid,
            name=t.name,
            summary=t.summary.format(**summaries.get(sid, {})),
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


def _api_map(
    spec: ProjectSpec, kb: KnowledgeBase, source: str, target: str
) -> tuple[tuple[MapRow, ...], tuple[str, ...]]:
    """The map rows in the migration's direction, and the ids of rows with no counterpart recorded for it.

    Each row shows the source framework's column and the target's, with that pair's equivalence, note
    and sources. Mixed code is PyTorch and TensorFlow code: the part not already in the target moves, so
    a row shows every moving part's name and the weakest of their equivalences.
    """
    kinds = {t.kind.value for t in spec.deployment.targets}
    moving = [f for f in MIXED_FAMILIES if f != target] if source == "mixed" else [source]
    rows, unmapped = [], []
    for m in kb.api_map:
        if m.applies_to and not kinds.intersection(m.applies_to):
            continue
        pairs = [(f, m.pair(f, target)) for f in moving]
        target_name = m.counterpart(target)
        if target_name is None or any(p is None for _, p in pairs):
            unmapped.append(m.id)
            continue
        known = [(f, p) for f, p in pairs if p is not None]
        names = [m.counterpart(f) or "" for f, _ in known]
        if len(known) > 1:  # name each moving part
            names = [f"{_name(kb, f)}: {m.counterpart(f)}" for f, _ in known]
        equivalence = min((p[0].value for _, p in known), key=EQUIVALENCE_RANK.__getitem__)
        rows.append(
            MapRow(
                id=m.id,
                area=m.area,
                source="; ".join(names),
                target=target_name,
                equivalence=equivalence,  # type: ignore[arg-type]
                note=" ".join(dict.fromkeys(p[1] for _, p in known)),
                references=tuple(
                    dict.fromkeys(f"{r.source} (as of {r.as_of.isoformat()})" for _, p in known for r in p[2])
                ),
                cites=tuple(dict.fromkeys(c for _, p in known for c in p[3] if c in kb.entries)),
            )
        )
    ordered = tuple(sorted(rows, key=lambda r: (EQUIVALENCE_RANK[r.equivalence], r.area)))
    return ordered, tuple(unmapped)


EQUIVALENCE_RANK = {"none": 0, "partial": 1, "direct": 2}


def _name(kb: KnowledgeBase, framework: str) -> str:
    return kb.frameworks[framework].name if framework in kb.frameworks else framework


def _risks(spec: ProjectSpec, source: str, target: str) -> tuple[Risk, ...]:
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
    risks += _jax_risks(spec, source, target, kinds)
    if getattr(spec.team.experience, target) in (Experience.none, Experience.beginner):
        risks.append(
            Risk(
                risk=f"The team is new to {target}.",
                mitigation="Pair on the pilot model; budget training time before the estimate starts.",
            )
        )
    return tuple(risks)


def _jax_risks(spec: ProjectSpec, source: str, target: str, kinds: set[TargetKind]) -> list[Risk]:
    """What moving to or from JAX adds (facts behind them: the api_map rows on compilation, state,
    random numbers, pretrained hubs and deployment)."""
    risks = []
    if target == "jax":
        risks += [
            Risk(
                risk="JAX's tracing model: under jit, Python side effects run once at trace time, branches on "
                "array values fail, and every new input shape compiles again.",
                mitigation="Keep the train step a pure function, log outside it, pad or bucket input shapes; "
                "learn these idioms on the pilot model before porting the rest.",
            ),
            Risk(
                risk="Explicit random keys: reusing a PRNG key silently repeats the same dropout masks and noise.",
                mitigation="Split keys per step and per use (nnx.Rngs in Flax) and test that consecutive steps "
                "draw different masks.",
            ),
        ]
        if any(s.value == "huggingface" for s in spec.task.pretrained_sources):
            risks.append(
                Risk(
                    risk="Hugging Face Transformers v5 has no Flax/JAX models, so Hub checkpoints need another "
                    "JAX route.",
                    mitigation="For every pretrained model in the inventory, confirm a KerasHub preset, a JAX "
                    "implementation or a hand conversion before the pilot starts.",
                )
            )
        if kinds & (SERVER | DEVICE):
            risks.append(
                Risk(
                    risk="JAX has no serving or on-device runtime of its own: deployment goes through "
                    "conversions (SavedModel via jax2tf or Orbax Export, ONNX via the third-party jax2onnx).",
                    mitigation="Convert the pilot model to every deployment format in the first phase and "
                    "compare the converted outputs with JAX on golden inputs.",
                )
            )
    if source == "jax":
        risks.append(
            Risk(
                risk="Functional JAX code (parameters and PRNG keys passed explicitly, jit-compiled steps) has "
                "to be restructured into stateful modules and an eager training loop; random streams change.",
                mitigation="Port module by module behind output-parity tests on fixed weights (mind the "
                "channels-last layout and kernel order); expect metric-level parity only after retraining.",
            )
        )
    return risks


def _staying_costs(spec: ProjectSpec, kb: KnowledgeBase, framework: str) -> tuple[str, ...]:
    """Ids of the entries on what staying with ``framework`` costs this project."""
    kinds = {t.kind for t in spec.deployment.targets}
    conditions = {
        None: True,
        "keras2": spec.codebase.keras_version == 2,
        "huggingface": any(s.value == "huggingface" for s in spec.task.pretrained_sources),
        "browser": TargetKind.browser in kinds,
        "microcontroller": TargetKind.microcontroller in kinds,
        "server": bool(kinds & SERVER),
        "windows": OperatingSystem.windows in spec.infrastructure.operating_systems
        or spec.infrastructure.windows_native,
        "macos": OperatingSystem.macos in spec.infrastructure.operating_systems
        or "apple_silicon" in {a.value for a in spec.infrastructure.accelerators},
    }
    return tuple(
        kb_id
        for kb_id, condition in templates.STAYING_COSTS.get(framework, ())
        if conditions[condition] and kb_id in kb.entries
    )
