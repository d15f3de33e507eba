"""Measured evidence into ratings: probe comparisons move the performance criteria.

For each metric, the advantage of PyTorch is the mean over the probed workloads of -log2(ratio),
counting a comparison whose 95 % interval includes 1 as zero (no measurable difference). Per
workload the compiled comparison is used when both frameworks have one, because that is how models
are trained and served (Keras always wraps its training step in tf.function); eager results then
stay in the report's table but do not move ratings. Each side
moves by half the advantage, capped at one point, so a twofold speed gap opens one rating point.
Measured criteria get a narrower spread in the Monte Carlo. A framework that cannot see a GPU that
is present loses a point of hardware support and the report says so loudly.

A saved run is validated when it is read (finite, positive ratios), but a run can also be built in
code without validation, and log2 of a NaN ratio once scored as the largest advantage. So a
comparison that is not :meth:`~advisor.probing.model.Comparison.usable` is dropped here with a
warning, and never scored; the report's probe summary drops it by the same test.
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


def _preferred(comparisons: list[Comparison]) -> list[Comparison]:
    """One comparison per workload: compiled where measured on both sides, else eager."""
    by_workload: dict[str, Comparison] = {}
    for comparison in comparisons:
        current = by_workload.get(comparison.workload)
        if current is None or comparison.mode == "compiled":
            by_workload[comparison.workload] = comparison
    return [by_workload[w] for w in sorted(by_workload)]


@dataclass(frozen=True)
class MeasuredEvidence:
    terms: Mapping[tuple[str, str], tuple[Term, ...]]
    sds: Mapping[tuple[str, str], float]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _unusable_warnings(comparisons: list[Comparison]) -> list[str]:
    """One warning per comparison whose numbers cannot be scored (NaN, infinite, zero or negative)."""
    return [
        f"{c.workload} ({c.mode}) {c.metric} comparison dropped: its ratio is not a finite positive number"
        for c in comparisons
        if not c.usable()
    ]


def evidence_from(run: ProbeRun, frameworks: list[str]) -> MeasuredEvidence:
    terms: dict[tuple[str, str], list[Term]] = {}
    sds: dict[tuple[str, str], float] = {}
    usable = [c for c in run.comparisons if c.usable()]
    for metric, criterion in CRITERION.items():
        found = _preferred([c for c in usable if c.metric == metric])
        if not found or not {"pytorch", "tensorflow"} <= set(frameworks):
            continue
        advantage = sum(-math.log2(c.ratio) if c.winner else 0.0 for c in found) / len(found)
        shift = max(-MAX_SHIFT, min(MAX_SHIFT, advantage / 2))
        decided = sum(1 for c in found if c.winner)
        modes = ", ".join(sorted({f"{c.workload} {c.mode}" for c in found}))
        note = f"{decided} of {len(found)} comparisons measurable ({modes})"
        for framework, sign in (("pytorch", 1.0), ("tensorflow", -1.0)):
            sds[(criterion, framework)] = MEASURED_SD
            if shift:
                terms.setdefault((criterion, framework), []).append(
                    Term(f"evidence:{metric}", round(sign * shift, 3), note)
                )
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
    return MeasuredEvidence({k: tuple(v) for k, v in terms.items()}, sds, tuple(warnings))


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
