"""Effort estimate of a migration, in person-weeks, from the spec's numbers.

point = (fixed + per model x models + per kLOC x kLOC + per custom op x ops + per target x targets)
        x strategy factor x experience factor
range = [0.75 x point, 1.6 x point]: estimates of rewrites run over far more often than under.

The weights are planning assumptions, not measurements; the report prints them with the result so
a team can replace them with its own (the pilot phase exists to recalibrate them).
"""

from __future__ import annotations

from advisor.migration.model import Effort, EffortTerm
from advisor.spec.model import Experience, ProjectSpec

FIXED_PW = 2.0  # inventory, CI and environment changes, decommissioning
PER_MODEL_PW = 1.0
PER_KLOC_PW = 0.25
PER_CUSTOM_OP_PW = 1.5
PER_TARGET_PW = 1.0  # each distinct deployment target kind needs its export/serving path redone
LOW, HIGH = 0.75, 1.6
EXPERIENCE_FACTOR = {
    Experience.expert: 0.8,
    Experience.intermediate: 1.0,
    Experience.beginner: 1.3,
    Experience.none: 1.6,
    Experience.unknown: 1.0,
}
UNKNOWN_LOW, UNKNOWN_HIGH = 0.5, 2.5  # the range when the codebase size or the team's experience is unknown


def estimate(spec: ProjectSpec, target: str, strategy_factor: float, strategy_name: str, share: float = 1.0) -> Effort:
    """Effort of moving ``share`` of the codebase to ``target`` with the given strategy."""
    codebase = spec.codebase
    models = max(codebase.model_count, 1 if codebase.lines else 0) * share
    kloc = codebase.lines / 1000 * share
    targets = len({t.kind for t in spec.deployment.targets})
    terms = (
        EffortTerm(name="fixed overhead", quantity=1, person_weeks_each=FIXED_PW, person_weeks=FIXED_PW),
        EffortTerm(name="models", quantity=models, person_weeks_each=PER_MODEL_PW, person_weeks=models * PER_MODEL_PW),
        EffortTerm(
            name="thousand lines of ML code",
            quantity=kloc,
            person_weeks_each=PER_KLOC_PW,
            person_weeks=kloc * PER_KLOC_PW,
        ),
        EffortTerm(
            name="custom ops",
            quantity=codebase.ops * share,
            person_weeks_each=PER_CUSTOM_OP_PW,
            person_weeks=codebase.ops * share * PER_CUSTOM_OP_PW,
        ),
        EffortTerm(
            name="deployment target kinds",
            quantity=targets,
            person_weeks_each=PER_TARGET_PW,
            person_weeks=targets * PER_TARGET_PW,
        ),
    )
    level = getattr(spec.team.experience, target, Experience.none)
    experience = EXPERIENCE_FACTOR[level]
    point = sum(t.person_weeks for t in terms) * strategy_factor * experience
    parallel = max(1, min(spec.team.size, int(models) + 1))
    assumptions = [
        "weights are planning assumptions from typical rewrites, not measurements: recalibrate after the pilot",
        "effort counts engineering time only; retraining compute and calendar waits are extra",
        f"calendar time assumes {parallel} engineer(s) in parallel (team size, at most one per model plus one)",
    ]
    if share < 1:
        assumptions.append(f"only {share:.0%} of the mixed codebase is assumed to need moving")
    low, high = LOW, HIGH
    if not codebase.size_known:
        low, high = UNKNOWN_LOW, UNKNOWN_HIGH
        assumptions.append(
            f"the codebase size is unknown: the estimate assumes {codebase.model_count} models and "
            f"{codebase.lines:,} lines, and the range is widened to {low}x-{high}x; state "
            "codebase.lines_of_code and codebase.models to sharpen it"
        )
    if level is Experience.unknown:
        low, high = min(low, UNKNOWN_LOW), max(high, UNKNOWN_HIGH)
        assumptions.append(f"the team's {target} experience is unknown: the range is widened to {low}x-{high}x")
    return Effort(
        low=round(point * low, 1),
        point=round(point, 1),
        high=round(point * high, 1),
        calendar_weeks=round(point / parallel, 1),
        formula=(
            "(fixed + models x 1.0 + kLOC x 0.25 + custom ops x 1.5 + target kinds x 1.0) x strategy x experience;"
            f" range {low}x-{high}x"
        ),
        terms=terms,
        factors=(
            (f"strategy: {strategy_name}", strategy_factor, "share of the work the strategy leaves"),
            (f"team experience in {target}: {level.value}", experience, "ramp-up on the target framework"),
        ),
        assumptions=tuple(assumptions),
    )
