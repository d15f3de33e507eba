"""Measured evidence into ratings: probe comparisons move the performance criteria.

For each metric, the advantage of PyTorch is the mean over the probed workloads of -log2(ratio),
counting a comparison whose 95 % interval includes 1 as zero (no measurable difference). Per
workload the compiled comparison is used when both frameworks have one, because that is how models
are trained and served (Keras always wraps its training step in tf.function); eager results then
stay in the report's table but do not move ratings. Each side
moves by half the advantage, capped at one point, so a twofold speed gap opens one rating point.
Measured criteria get a narrower spread in the Monte Carlo. A framework that cannot see a GPU that
is present loses a point of hardware support and the report says so loudly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from advisor.probing.model import Comparison, ProbeRun
from advisor.scoring.ratings import Term

CRITERION = {"train_step_time": "training_performance", "infer_b1_latency": "inference_performance"}
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


def evidence_from(run: ProbeRun, frameworks: list[str]) -> MeasuredEvidence:
    terms: dict[tuple[str, str], list[Term]] = {}
    sds: dict[tuple[str, str], float] = {}
    for metric, criterion in CRITERION.items():
        found = _preferred([c for c in run.comparisons if c.metric == metric])
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
    warnings = []
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
