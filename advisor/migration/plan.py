"""Builds a migration plan for a spec: which strategy, which phases, the API map, effort and risks."""

from __future__ import annotations

from advisor.knowledge.load import KnowledgeBase
from advisor.matching import matches
from advisor.migration import templates
from advisor.migration.effort import estimate
from advisor.migration.model import MapRow, MigrationPlan, Risk, Strategy, StrategyId
from advisor.migration.phases import phases_for
from advisor.migration.scope import DEVICE, SERVER, Scope, scope_of
from advisor.spec.derived import codebase_family, rule_facts
from advisor.spec.model import Experience, OperatingSystem, ProjectSpec, ServingSoftware, TargetKind

MIXED_FAMILIES = ("tensorflow", "pytorch")  # what codebase.framework: mixed is made of
KERAS_BACKENDS = {"pytorch": ("PyTorch", "torch"), "jax": ("JAX", "jax")}  # targets Keras 3 can run on


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
            "decision with costs of its own, listed below"
            + (
                ", the largest being the rewrite of the TF1-style code for TensorFlow 2."
                if any(g.value == "tf1" for g in spec.codebase.api_generations)
                else "."
            ),
            cites=costs,
        )
    # mixed code is part PyTorch, part TensorFlow: moving to one of them leaves that part where it is
    share = 0.5 if source == "mixed" and target in MIXED_FAMILIES else 1.0
    scope = scope_of(spec, kb, target)
    strategies = _strategies(scope, source)
    chosen, why = _recommend(spec, scope, strategies)
    template = templates.STRATEGIES[chosen]
    effort = estimate(spec, scope, template.factor, template.name, share)
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
        phases=phases_for(scope, name),
        api_map=api_map,
        unmapped=unmapped,
        effort=effort,
        risks=_risks(spec, scope, source),
        verification=verification,
        cites=tuple(dict.fromkeys(c for s in strategies for c in s.cites if c in kb.entries)),
    )


def _keras_route(scope: Scope, source: str) -> tuple[bool, str]:
    """Whether the Keras 3 backend switch fits, and why (or why not), from what the code contains."""
    backend = KERAS_BACKENDS.get(scope.target)
    if not scope.keras_code or source != "tensorflow" or backend is None:
        return False, "only for Keras code moving to PyTorch or JAX"
    if scope.only_tf1:
        return (
            False,
            "the code is TF1-style (sessions, placeholders, Estimators), which has no Keras 3 route: a rewrite",
        )
    name, env = backend
    why = f"the code is Keras: Keras 3 runs it on the {name} backend (KERAS_BACKEND={env})"
    if scope.target == "jax":
        why += "; overridden train_step methods and custom loops must be rewritten in JAX's stateless style"
    if scope.tf1_code:
        why = f"only for the Keras part: {why}; the TF1-style part (sessions, Estimators) is a rewrite"
    if scope.custom_ops is None:
        why += "; the custom ops are unknown, and any tf.* op is code the switch cannot carry: inventory them first"
    elif scope.custom_ops:
        why = f"possible, but the {scope.custom_ops} custom ops are tf.* code the backend switch cannot carry"
    return True, why


def _strategies(scope: Scope, source: str) -> tuple[Strategy, ...]:
    backend = KERAS_BACKENDS.get(scope.target)
    reasons = {
        "full_rewrite": (True, "always possible; cost grows with every model and line"),
        "incremental": (True, "keeps production running; both stacks coexist until the old models retire"),
        "convert_and_freeze": (True, "for models that are only served, not retrained; training stays behind"),
        "keras3_backend": _keras_route(scope, source),
    }
    if source == "jax":
        reasons["convert_and_freeze"] = (
            True,
            "for models that are only served, not retrained; JAX has no first-party ONNX exporter, so "
            "the export goes through the third-party jax2onnx (or a SavedModel for TensorFlow runtimes)",
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


def _recommend(spec: ProjectSpec, scope: Scope, strategies: tuple[Strategy, ...]) -> tuple[StrategyId, str]:
    codebase = spec.codebase
    keras = next(s for s in strategies if s.id == "keras3_backend")
    if keras.applicable and scope.custom_ops == 0 and not scope.tf1_code:
        upgrade = " after moving the Keras 2 code to Keras 3" if codebase.keras_version == 2 else ""
        return "keras3_backend", (
            f"the code is Keras with no custom ops, so switching the backend{upgrade} "
            "reuses models, training code and skills instead of rewriting them"
        )
    if codebase.model_count >= 5 or codebase.lines >= 30_000 or scope.models is None or scope.lines is None:
        size = codebase.describe_size()
        why = (
            f"{size} are too much to switch at once without freezing delivery"
            if scope.models is not None and scope.lines is not None
            else (f"the codebase's size is unknown ({size}), so plan for one too large to switch at once")
        )
        if scope.tf1_code:
            why += "; the TF1-style code is rewritten model by model, which no backend switch can do"
        elif keras.applicable and scope.custom_ops is None:
            why += "; the Keras backend switch waits until the inventory shows no custom ops"
        return "incremental", why + "; new work starts in the target"
    if scope.tf1_code:
        return "full_rewrite", "the TF1-style code has to be rewritten anyway, and it is small enough to port in one go"
    return "full_rewrite", "the codebase is small enough to port in one go, which avoids running two stacks"


def _api_map(
    spec: ProjectSpec, kb: KnowledgeBase, source: str, target: str
) -> tuple[tuple[MapRow, ...], tuple[str, ...]]:
    """The map rows in the migration's direction, and the ids of rows with no counterpart recorded for it.

    Each row shows the source framework's column and the target's, with that pair's equivalence, note
    and sources. Mixed code is PyTorch and TensorFlow code: the part not already in the target moves, so
    a row shows every moving part's name and the weakest of their equivalences.
    """
    facts = rule_facts(spec)
    moving = [f for f in MIXED_FAMILIES if f != target] if source == "mixed" else [source]
    rows, unmapped = [], []
    for m in kb.api_map:
        if m.applies_when is not None and not matches(m.applies_when, facts):
            continue  # about technology this project does not have
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


def _risks(spec: ProjectSpec, scope: Scope, source: str) -> tuple[Risk, ...]:
    target = scope.target
    kinds = {t.kind for t in spec.deployment.targets}
    risks = [
        Risk(
            risk="Numerical drift: the same model gives slightly different outputs in another framework.",
            mitigation="Agree tolerances per model in the inventory; compare on golden inputs with fixed seeds.",
        )
    ]
    if scope.tf1_code:
        risks.append(
            Risk(
                risk="TF1-style code (sessions, placeholders, Estimators) has no mechanical mapping to any "
                "current API, the target's or TensorFlow 2's.",
                mitigation="Reconstruct each such model from its math and checkpoints; verify against outputs "
                "recorded from the old system before it is switched off.",
            )
        )
    if scope.custom_ops is None:
        risks.append(
            Risk(
                risk="The custom ops are unknown: one discovered late can block an export or a route.",
                mitigation="List every custom op in the inventory, with the models that use it, before "
                "choosing the strategy.",
            )
        )
    elif scope.custom_ops:
        risks.append(
            Risk(
                risk=f"{scope.custom_ops} custom op(s) have no automatic conversion.",
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
    if scope.serving_to_replace:
        risks.append(
            Risk(
                risk=f"{' and '.join(scope.serving_to_replace)} cannot serve the new models: the serving "
                "stack changes with the framework.",
                mitigation="Stand up the new server for the pilot model early and load-test it against the "
                "old one's latency and throughput.",
            )
        )
    if scope.tfx:
        risks.append(
            Risk(
                risk="TFX components (Transform, Evaluator, Pusher) assume TensorFlow artefacts and do not carry over.",
                mitigation="Rebuild the pipeline steps on framework-neutral components, keeping full-pass "
                "transform statistics versioned with each model so training and serving agree.",
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
    serving = {stack.software for stack in spec.deployment.serving}
    conditions = {
        None: True,
        "keras2": spec.codebase.keras_version == 2,
        "tf1": any(g.value == "tf1" for g in spec.codebase.api_generations),
        "tf_serving": ServingSoftware.tf_serving in serving,
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
