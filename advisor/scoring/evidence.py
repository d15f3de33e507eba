"""Measured evidence into ratings: probe comparisons move the performance criteria.

For each metric and each pair of frameworks (a, b), the advantage of a over b is the mean of
-log2(a/b ratio) over the probed workloads whose comparison was measured cleanly, where only a
comparison that passed the verdict rule of :func:`advisor.evidence.stats.compare_timings` (outcome
``counted``) contributes its ratio and a clean one without a counted difference contributes zero.
A comparison too noisy to compare, or whose rounds disagree, is left out altogether: it neither
moves the rating nor dilutes one that counted, and it does not narrow the rating's spread. Per
workload the compiled comparison is used when both frameworks have one, because that is how models
are trained and served (Keras always wraps its training step in tf.function); eager results then
stay in the report's table but do not move ratings. Each framework then moves by the least-squares
fit of the pairwise advantages: its mean advantage over the N measured frameworks (itself counting
zero), capped at one point. With two frameworks each side moves by half the advantage; with any
number, a twofold speed gap between two frameworks opens one rating point between them. Cleanly
measured criteria get a narrower spread in the Monte Carlo. A framework that cannot see a GPU that
is present loses a point of hardware support and the report says so loudly.
:func:`evidence_note` says in words what ran and what each measurement did to the ratings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from advisor.evidence.probe_run import DISPLAY_NAMES, Comparison, ProbeRun
from advisor.evidence.protocol import DeployCheck
from advisor.evidence.scale import ScaleComparison
from advisor.rules.terms import Term

CRITERION = {"train_step_time": "training_performance", "infer_b1_latency": "inference_performance"}
# the probe deployment check that stands for each kind of spec target (one check per kind of target)
DEPLOY_OF_TARGET = {
    "server_rest": "server",
    "server_grpc": "server",
    "serverless": "server",
    "batch": "server",
    "android": "mobile",
    "ios": "mobile",
    "edge_linux": "mobile",
    "microcontroller": "microcontroller",
    "browser": "browser",
}
DEPLOY_CRITERION = {
    "server": "production_serving",
    "onnx": "production_serving",
    "mobile": "mobile_edge",
    "microcontroller": "microcontroller",
    "browser": "browser",
}
DEPLOY_PENALTY = 1.0  # a framework whose every checked conversion for a criterion failed loses one point
MAX_SHIFT = 1.0
MEASURED_SD = 0.25
GPU_BLIND_PENALTY = -1.0
NOISY_OUTCOMES = frozenset({"unstable", "rounds_disagree"})  # measured, but not well enough to know anything
CRITERION_NAMES = {"training_performance": "training performance", "inference_performance": "inference performance"}
# The scaling probe's metrics, each cited as evidence:scale:<name>; both bear on distributed training.
SCALE_METRICS = {"scale_efficiency": "efficiency", "allreduce_time": "allreduce"}
SCALE_CRITERION = "distributed_training"


def _preferred(comparisons: list[Comparison]) -> list[Comparison]:
    """One comparison per workload: compiled where measured on both sides, else eager."""
    by_workload: dict[str, Comparison] = {}
    for comparison in comparisons:
        current = by_workload.get(comparison.workload)
        if current is None or comparison.mode == "compiled":
            by_workload[comparison.workload] = comparison
    return [by_workload[w] for w in sorted(by_workload)]


@dataclass(frozen=True)
class MetricUse:
    """How one performance criterion used the comparisons of its metric (one per workload)."""

    compared: int  # comparisons of this metric (the preferred mode per workload)
    clean: int  # of which passed the noise checks (counted, no difference, or within the noise)
    counted: int  # of which named a winner and moved the rating
    workloads: str  # "cnn compiled, mlp eager"


@dataclass(frozen=True)
class MeasuredEvidence:
    terms: Mapping[tuple[str, str], tuple[Term, ...]]
    sds: Mapping[tuple[str, str], float]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    uses: Mapping[str, MetricUse] = field(default_factory=dict)  # criterion -> what its comparisons did
    model_uses: Mapping[str, MetricUse] = field(default_factory=dict)  # the same for the own model's comparisons
    scale_uses: Mapping[str, MetricUse] = field(default_factory=dict)  # scaling metric -> what its comparisons did
    scale_left_out: tuple[str, ...] = ()  # the scaling comparisons that did not survive the noise checks, in words


def _unusable_warnings(comparisons: list[Comparison]) -> list[str]:
    """One warning per comparison whose numbers cannot be scored (NaN, infinite, zero or negative)."""
    return [
        f"{c.workload} ({c.mode}) {c.metric} comparison dropped: its ratio is not a finite positive number"
        for c in comparisons
        if not c.usable()
    ]


def _pair_key(c: Comparison | ScaleComparison) -> tuple[str, str]:
    return (c.a, c.b)


def _found(comparisons: list[Comparison], metric: str) -> list[Comparison]:
    """Per pair of frameworks, the preferred comparison of ``metric`` per workload."""
    of_metric = [c for c in comparisons if c.metric == metric]
    return [
        c
        for pair in sorted({_pair_key(c) for c in of_metric})
        for c in _preferred([c for c in of_metric if _pair_key(c) == pair])
    ]


def _own_found(run: ProbeRun, comparisons: list[Comparison], metric: str) -> list[Comparison]:
    """The own model's preferred comparisons, less an eager one where either side's compiled cell
    completed: a Keras model whose ``torch.compile`` ran out of budget must not be compared in eager
    mode with a backend whose XLA step was measured (the eager figures would hide the compiled one);
    that pair keeps the synthetic evidence."""
    compiled = {
        r.framework
        for r in (run.model.results if run.model else [])
        for c in r.cells
        if c.mode == "compiled" and c.status == "ok"
    }
    return [c for c in _found(comparisons, metric) if c.mode == "compiled" or not {c.a, c.b} & compiled]


def _advantages(clean: Sequence[Comparison | ScaleComparison]) -> dict[tuple[str, str], float]:
    """(a, b) -> mean -log2(a/b) over the pair's clean comparisons of one metric (a clean one without a
    counted difference contributes zero): timing and scaling comparisons alike."""
    advantage: dict[tuple[str, str], float] = {}
    for pair in sorted({_pair_key(c) for c in clean}):
        of_pair = [c for c in clean if _pair_key(c) == pair]
        advantage[pair] = sum(-math.log2(c.ratio) for c in of_pair if c.outcome == "counted") / len(of_pair)
    return advantage


def _net(advantage: dict[tuple[str, str], float], framework: str) -> float:
    return sum(v for (a, _), v in advantage.items() if a == framework) - sum(
        v for (_, b), v in advantage.items() if b == framework
    )


def evidence_from(run: ProbeRun, frameworks: list[str]) -> MeasuredEvidence:
    """Terms and spreads from a run. The team's own model outranks the synthetic workloads: per pair of
    frameworks its clean timing comparison (a Keras 3 model on two backends) replaces the synthetic
    ones (``evidence:model:<metric>``), and per framework and criterion its deployment checks replace
    the synthetic checks (``evidence:model:deploy:<criterion>``)."""
    terms: dict[tuple[str, str], list[Term]] = {}
    sds: dict[tuple[str, str], float] = {}
    uses: dict[str, MetricUse] = {}
    model_uses: dict[str, MetricUse] = {}
    usable = [c for c in run.comparisons if c.usable() and c.a in frameworks and c.b in frameworks]
    own = [c for c in (run.model.comparisons if run.model else []) if c.usable() and {c.a, c.b} <= set(frameworks)]
    for metric, criterion in CRITERION.items():
        found, model_found = _found(usable, metric), _own_found(run, own, metric)
        if not found and not model_found:
            continue
        clean = [c for c in found if c.outcome not in NOISY_OUTCOMES]
        counted = [c for c in clean if c.outcome == "counted"]
        modes = ", ".join(sorted({f"{c.workload} {c.mode}" for c in found}))
        if found:
            uses[criterion] = MetricUse(len(found), len(clean), len(counted), modes)
        model_clean = [c for c in model_found if c.outcome not in NOISY_OUTCOMES]
        model_counted = [c for c in model_clean if c.outcome == "counted"]
        if model_found:
            model_modes = ", ".join(sorted({f"{c.a}/{c.b} {c.mode}" for c in model_found}))
            model_uses[criterion] = MetricUse(len(model_found), len(model_clean), len(model_counted), model_modes)
        model_advantage = _advantages(model_clean)
        advantage = {pair: v for pair, v in _advantages(clean).items() if pair not in model_advantage}
        if not advantage and not model_advantage:
            continue  # too noisy everywhere: the rating stays documentary, spread included
        measured = sorted({fw for pair in (*advantage, *model_advantage) for fw in pair}, key=frameworks.index)
        note = f"{len(counted)} of {len(found)} comparisons counted ({modes})"
        model_note = f"your model: {len(model_counted)} of {len(model_found)} comparisons counted"
        for framework in measured:
            synthetic, mine = _net(advantage, framework), _net(model_advantage, framework)
            total = (synthetic + mine) / len(measured)
            scale = min(1.0, MAX_SHIFT / abs(total)) if total else 1.0  # the cap shrinks both parts alike
            sds[(criterion, framework)] = MEASURED_SD
            key = (criterion, framework)
            if mine and round(mine / len(measured) * scale, 3):
                shift = round(mine / len(measured) * scale, 3)
                terms.setdefault(key, []).append(Term(f"evidence:model:{metric}", shift, model_note))
            if synthetic and round(synthetic / len(measured) * scale, 3):
                shift = round(synthetic / len(measured) * scale, 3)
                terms.setdefault(key, []).append(Term(f"evidence:{metric}", shift, note))
    owned = _model_deploy_terms(run, frameworks, terms)
    _deploy_terms(run, frameworks, terms, skip=owned)
    scale_uses, left_out = _scale_terms(run, frameworks, terms, sds)
    warnings = _unusable_warnings(run.comparisons)
    for result in run.results:
        env = result.environment
        if env is not None and env.gpu_present and not env.gpu_visible and result.framework in frameworks:
            warnings.append(
                f"{result.framework} cannot see the NVIDIA GPU on this machine "
                f"({env.device_name}); its measurements ran on the CPU"
            )
            key = ("hardware_support", result.framework)
            if not any(t.source == "evidence:gpu_visibility" for t in terms.get(key, [])):
                terms.setdefault(key, []).append(
                    Term("evidence:gpu_visibility", GPU_BLIND_PENALTY, "framework does not see the GPU")
                )
        if result.status != "ok":
            warnings.append(f"{result.framework} probe: {result.status}: {result.message}")
    for result in run.model.results if run.model else []:
        if result.status != "ok":
            warnings.append(f"your model in {result.framework}: {result.status}: {result.message}")
    for scaled in run.scale.frameworks if run.scale else []:
        if scaled.status != "ok" and scaled.framework in frameworks:
            warnings.append(f"{scaled.framework} scaling probe: {scaled.status}: {scaled.message}")
    return MeasuredEvidence(
        {k: tuple(v) for k, v in terms.items()}, sds, tuple(warnings), uses, model_uses, scale_uses, left_out
    )


def _scale_terms(
    run: ProbeRun,
    frameworks: list[str],
    terms: dict[tuple[str, str], list[Term]],
    sds: dict[tuple[str, str], float],
) -> tuple[dict[str, MetricUse], tuple[str, ...]]:
    """The scaling comparisons move distributed training like the timings move the performance criteria:
    per metric the least-squares fit of the clean pairwise advantages (-log2 of the ratio where counted,
    zero where clean without a difference), the metrics' sum capped at one point per framework."""
    if run.scale is None:
        return {}, ()
    usable = [c for c in run.scale.comparisons if c.a in frameworks and c.b in frameworks]
    uses: dict[str, MetricUse] = {}
    nets: dict[str, dict[str, float]] = {}
    measured: set[str] = set()
    for metric, name in SCALE_METRICS.items():
        found = [c for c in usable if c.metric == metric]
        if not found:
            continue
        clean = [c for c in found if c.outcome not in NOISY_OUTCOMES]
        counted = [c for c in clean if c.outcome == "counted"]
        uses[metric] = MetricUse(
            len(found), len(clean), len(counted), ", ".join(sorted({_scale_where(c) for c in found}))
        )
        advantage = _advantages(clean)
        measured |= {fw for pair in advantage for fw in pair}
        nets[name] = {fw: _net(advantage, fw) for fw in frameworks}
    left_out = tuple(c.verdict for c in usable if c.outcome in NOISY_OUTCOMES or c.outcome == "within_noise")
    if not measured:
        return uses, left_out
    for framework in sorted(measured, key=frameworks.index):
        parts = {name: net[framework] / len(measured) for name, net in nets.items()}
        total = sum(parts.values())
        scale = min(1.0, MAX_SHIFT / abs(total)) if total else 1.0
        sds[(SCALE_CRITERION, framework)] = MEASURED_SD
        for name, value in parts.items():
            shift = round(value * scale, 3)
            if shift:
                metric = next(m for m, n in SCALE_METRICS.items() if n == name)
                use = uses[metric]
                note = f"{use.counted} of {use.compared} scaling comparisons counted ({use.workloads})"
                terms.setdefault((SCALE_CRITERION, framework), []).append(Term(f"evidence:scale:{name}", shift, note))
    return uses, left_out


def _scale_where(c: ScaleComparison) -> str:
    if c.metric == "scale_efficiency":
        return f"{c.workload} {c.strategy}"
    return f"all-reduce {c.size_bytes / 2**20:g} MB" if c.size_bytes else "all-reduce"


def _scale_sentence(run: ProbeRun, measured: MeasuredEvidence) -> str:
    """What the scaling probe did to distributed training, and which comparisons did not survive."""
    if run.scale is None:
        return ""
    section = run.scale
    ok = sorted({DISPLAY_NAMES.get(r.framework, r.framework) for r in section.rows if r.status == "ok"})
    head = f"Scaling probe at 1 and {section.settings.workers} workers ({', '.join(ok) or 'no framework completed'})"
    if not measured.scale_uses:
        return f"{head}: no scaling comparison was possible (it needs two frameworks to complete the same row)."
    parts = []
    for metric, use in measured.scale_uses.items():
        name = "weak-scaling efficiency" if metric == "scale_efficiency" else "all-reduce time"
        parts.append(f"{name}: {use.counted} of {use.compared} comparisons counted")
    said = (
        f"{head}: distributed training "
        + (
            "moves on "
            if any(u.counted for u in measured.scale_uses.values())
            else "is measured without a counted difference, on "
        )
        + "; ".join(parts)
    )
    if measured.scale_left_out:
        said += ". Not counted (noise): " + "; ".join(measured.scale_left_out[:4])
    return said + "."


def _model_sentence(run: ProbeRun, measured: MeasuredEvidence, frameworks: list[str]) -> str:
    """What the team's own model contributed: its timings where it ran in several frameworks, its
    deployment checks where it has them; said first, because it outranks the synthetic workloads."""
    if run.model is None or run.settings.model is None:
        return ""
    own = run.settings.model
    ran = [
        DISPLAY_NAMES.get(fw, fw)
        for fw in own.runtimes
        if any(r.framework == fw and any(c.status == "ok" for c in r.cells) for r in run.model.results)
    ]
    parts = [f"Your model ({own.source.ref}, {own.described}) was measured in {', '.join(ran) or 'no framework'}"]
    if measured.model_uses:
        said = []
        for criterion, use in measured.model_uses.items():
            name = CRITERION_NAMES[criterion]
            said.append(
                f"{name} uses its {use.clean} clean cross-framework comparison(s), {use.counted} counted"
                if use.clean
                else f"{name}: its comparisons were too noisy to use"
            )
        parts.append("; ".join(said) + ", ahead of the synthetic ones")
    elif len(ran) < 2:
        parts.append(
            "it ran in one framework, so no timing comparison exists and the performance ratings use the "
            "synthetic workloads"
        )
    checks = [
        c
        for r in run.model.results
        if r.framework in frameworks
        for c in r.deploy_checks
        if _counts_against(c) is not None
    ]
    if checks:
        failed = sum(1 for c in checks if _counts_against(c))
        parts.append(
            f"its {len(checks)} conversion checks ({failed} failed) decide the deployment criteria they bear on"
        )
    return "; ".join(parts) + "."


def _performance_sentence(measured: MeasuredEvidence) -> str:
    """What the timing comparisons did to the performance ratings; none possible is said too."""
    if not measured.uses and measured.model_uses:
        return ""
    if not measured.uses:
        return (
            "No timing comparison was possible (it needs two frameworks to complete the same cell), "
            "so the performance ratings are documentary."
        )
    parts = []
    for criterion, use in measured.uses.items():
        name = CRITERION_NAMES[criterion]
        noisy = use.compared - use.clean
        left_out = f"; {noisy} too noisy or inconsistent, left out" if noisy and use.clean else ""
        if use.counted:
            parts.append(f"{name} moves on {use.counted} of {use.compared} comparisons ({use.workloads}{left_out})")
        elif use.clean:
            parts.append(f"{name} is measured with no counted difference ({use.workloads}{left_out})")
        else:
            parts.append(f"{name} stays documentary (every comparison too noisy or inconsistent: {use.workloads})")
    return "Timings: " + "; ".join(parts) + "."


def _deploy_sentence(run: ProbeRun, frameworks: list[str]) -> str:
    """How many real conversions bear on the deployment ratings (checks that could not run are not counted)."""
    checks = [
        c for r in run.results if r.framework in frameworks for c in r.deploy_checks if _counts_against(c) is not None
    ]
    if not checks:
        return ""
    failed = sum(1 for c in checks if _counts_against(c))
    return f" Deployment ratings use {len(checks)} conversion checks ({failed} failed)."


def evidence_note(run: ProbeRun, measured: MeasuredEvidence, frameworks: list[str], coverage: str) -> str:
    """The report's evidence note for a run that measured something: where and how the probes ran,
    ``coverage`` (which framework was measured, and why the others were not), and what the
    measurements did to the ratings. It never claims a measurement that did not happen."""
    devices = sorted({r.environment.device_name for r in run.results if r.environment})
    settings = run.settings
    deploy = f", plus {settings.deploy_budget_s_per_framework:g} s for deployment checks" if settings.deploy else ""
    devices = sorted(
        {*devices, *(r.environment.device_name for r in (run.model.results if run.model else []) if r.environment)}
    )
    return (
        f"Probes on {', '.join(devices) or settings.device} ({settings.precision}, budget {settings.budget}: "
        f"{settings.budget_s_per_framework:g} s per framework{deploy}): {coverage}. "
        + " ".join(
            part
            for part in (
                _model_sentence(run, measured, frameworks),
                _performance_sentence(measured) if run.results or run.model else "",
                _scale_sentence(run, measured),
                _deploy_sentence(run, frameworks).strip(),
                "Other ratings are documentary.",
            )
            if part
        )
    )


def _counts_against(check: DeployCheck) -> bool | None:
    """True: a failure that counts; False: a success; None: not evidence either way.

    An int8 parity miss on the probe models is not held against a framework: the probe models are
    untrained, and quantisation error depends on trained weights and calibration data.
    """
    if check.status == "not_checked" or (check.status == "parity_failed" and check.target == "microcontroller"):
        return None
    return check.status != "ok"


def _model_deploy_terms(
    run: ProbeRun, frameworks: list[str], terms: dict[tuple[str, str], list[Term]]
) -> set[tuple[str, str]]:
    """The own model's deployment checks, per framework and criterion: a target counts as reached when
    any of its routes passed (ExecuTorch or LiteRT both reach a phone), and the criterion loses a point
    in proportion to the targets no route reached. Returns the (criterion, framework) pairs these checks
    decide, which the synthetic checks then leave alone."""
    owned: set[tuple[str, str]] = set()
    for result in run.model.results if run.model else []:
        if result.framework not in frameworks:
            continue
        by_target: dict[str, list[DeployCheck]] = {}
        for check in result.deploy_checks:
            if _counts_against(check) is not None:
                by_target.setdefault(check.target, []).append(check)
        by_criterion: dict[str, list[tuple[str, bool, list[DeployCheck]]]] = {}
        for target, checks in sorted(by_target.items()):
            reached = any(not _counts_against(c) for c in checks)
            by_criterion.setdefault(DEPLOY_CRITERION[target], []).append((target, reached, checks))
        for criterion, targets in sorted(by_criterion.items()):
            owned.add((criterion, result.framework))
            missed = [(t, checks) for t, reached, checks in targets if not reached]
            if not missed:
                continue
            named = "; ".join(f"{t}: {checks[0].message[:120]}" for t, checks in missed[:3])
            terms.setdefault((criterion, result.framework), []).append(
                Term(
                    f"evidence:model:deploy:{criterion}",
                    round(-DEPLOY_PENALTY * len(missed) / len(targets), 3),
                    f"your model reached {len(targets) - len(missed)} of {len(targets)} targets ({named})",
                )
            )
    return owned


def _deploy_terms(
    run: ProbeRun,
    frameworks: list[str],
    terms: dict[tuple[str, str], list[Term]],
    skip: set[tuple[str, str]] | None = None,
) -> None:
    """Failed conversions lower the deployment criterion they bear on, in proportion, naming the failures
    (except where the own model's checks decide the criterion: ``skip``)."""
    for result in run.results:
        if result.framework not in frameworks:
            continue
        by_criterion: dict[str, list[DeployCheck]] = {}
        for check in result.deploy_checks:
            if _counts_against(check) is not None:
                by_criterion.setdefault(DEPLOY_CRITERION[check.target], []).append(check)
        for criterion, checks in sorted(by_criterion.items()):
            if skip and (criterion, result.framework) in skip:
                continue
            failed = [c for c in checks if _counts_against(c)]
            if not failed:
                continue
            named = "; ".join(f"{c.workload} {c.target}: {c.message[:120]}" for c in failed[:3])
            terms.setdefault((criterion, result.framework), []).append(
                Term(
                    f"evidence:deploy:{criterion}",
                    round(-DEPLOY_PENALTY * len(failed) / len(checks), 3),
                    f"{len(failed)} of {len(checks)} conversions failed ({named})",
                )
            )
