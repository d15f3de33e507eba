"""Measured evidence into ratings: probe comparisons move the performance criteria.

For each metric and each pair of frameworks (a, b), the advantage of a over b is the mean of
-log2(a/b ratio) over the probed workloads whose comparison was measured cleanly, where only a
comparison that passed the verdict rule of :func:`profilers.stats.compare_timings` (outcome
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
from collections.abc import Mapping
from dataclasses import dataclass, field

from advisor.probing.model import Comparison, ProbeRun
from advisor.scoring.ratings import Term
from profilers.protocol import DeployCheck

CRITERION = {"train_step_time": "training_performance", "infer_b1_latency": "inference_performance"}
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


def _unusable_warnings(comparisons: list[Comparison]) -> list[str]:
    """One warning per comparison whose numbers cannot be scored (NaN, infinite, zero or negative)."""
    return [
        f"{c.workload} ({c.mode}) {c.metric} comparison dropped: its ratio is not a finite positive number"
        for c in comparisons
        if not c.usable()
    ]


def _pair_key(c: Comparison) -> tuple[str, str]:
    return (c.a, c.b)


def evidence_from(run: ProbeRun, frameworks: list[str]) -> MeasuredEvidence:
    terms: dict[tuple[str, str], list[Term]] = {}
    sds: dict[tuple[str, str], float] = {}
    uses: dict[str, MetricUse] = {}
    usable = [c for c in run.comparisons if c.usable() and c.a in frameworks and c.b in frameworks]
    for metric, criterion in CRITERION.items():
        of_metric = [c for c in usable if c.metric == metric]
        found = [
            c
            for pair in sorted({_pair_key(c) for c in of_metric})
            for c in _preferred([c for c in of_metric if _pair_key(c) == pair])
        ]
        if not found:
            continue
        clean = [c for c in found if c.outcome not in NOISY_OUTCOMES]
        counted = [c for c in clean if c.outcome == "counted"]
        modes = ", ".join(sorted({f"{c.workload} {c.mode}" for c in found}))
        uses[criterion] = MetricUse(len(found), len(clean), len(counted), modes)
        if not clean:
            continue  # too noisy everywhere: the rating stays documentary, spread included
        advantage: dict[tuple[str, str], float] = {}  # (a, b) -> mean -log2(a/b) over the pair's clean comparisons
        for pair in sorted({_pair_key(c) for c in clean}):
            of_pair = [c for c in clean if _pair_key(c) == pair]
            advantage[pair] = sum(-math.log2(c.ratio) for c in of_pair if c.outcome == "counted") / len(of_pair)
        measured = sorted({fw for pair in advantage for fw in pair}, key=frameworks.index)
        note = f"{len(counted)} of {len(found)} comparisons counted ({modes})"
        for framework in measured:
            total = sum(v for (a, _), v in advantage.items() if a == framework)
            total -= sum(v for (_, b), v in advantage.items() if b == framework)
            shift = max(-MAX_SHIFT, min(MAX_SHIFT, total / len(measured)))
            sds[(criterion, framework)] = MEASURED_SD
            if shift:
                terms.setdefault((criterion, framework), []).append(Term(f"evidence:{metric}", round(shift, 3), note))
    _deploy_terms(run, frameworks, terms)
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
    return MeasuredEvidence({k: tuple(v) for k, v in terms.items()}, sds, tuple(warnings), uses)


def _performance_sentence(measured: MeasuredEvidence) -> str:
    """What the timing comparisons did to the performance ratings; none possible is said too."""
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
    return (
        f"Probes on {', '.join(devices) or settings.device} ({settings.precision}, budget {settings.budget}: "
        f"{settings.budget_s_per_framework:g} s per framework{deploy}): {coverage}. "
        f"{_performance_sentence(measured)}{_deploy_sentence(run, frameworks)} Other ratings are documentary."
    )


def _counts_against(check: DeployCheck) -> bool | None:
    """True: a failure that counts; False: a success; None: not evidence either way.

    An int8 parity miss on the probe models is not held against a framework: the probe models are
    untrained, and quantisation error depends on trained weights and calibration data.
    """
    if check.status == "not_checked" or (check.status == "parity_failed" and check.target == "microcontroller"):
        return None
    return check.status != "ok"


def _deploy_terms(run: ProbeRun, frameworks: list[str], terms: dict[tuple[str, str], list[Term]]) -> None:
    """Failed conversions lower the deployment criterion they bear on, in proportion, naming the failures."""
    for result in run.results:
        if result.framework not in frameworks:
            continue
        by_criterion: dict[str, list[DeployCheck]] = {}
        for check in result.deploy_checks:
            if _counts_against(check) is not None:
                by_criterion.setdefault(DEPLOY_CRITERION[check.target], []).append(check)
        for criterion, checks in sorted(by_criterion.items()):
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
