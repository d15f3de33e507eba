"""Effort estimate of a migration, in person-weeks, from the spec's numbers.

point = (fixed + per model x models + per kLOC x kLOC + per custom op x ops + per target x targets
         + per serving stack replaced or reconfigured + per TFX pipeline + per production cut-over)
        x strategy factor x experience factor
range = [0.75 x point, 1.6 x point]: estimates of rewrites run over far more often than under; wider
        (0.5x-2.5x) when the spec leaves the size, the custom ops or the team's experience unknown,
        which the assumptions name. An unknown count is never read as zero.
calendar = the inventory and pilot in sequence, then the rest shared by the engineers who can work in
        parallel (at most one per model plus one).

The weights are planning assumptions, not measurements; the report prints them with the result so a
team can replace them with its own (the pilot phase exists to recalibrate them).
"""

from __future__ import annotations

from advisor.migration.model import Effort, EffortTerm
from advisor.migration.scope import Scope
from advisor.spec.model import Experience, ProjectSpec

FIXED_PW = 2.0  # inventory, CI and environment changes, decommissioning
PER_MODEL_PW = 1.0
PER_KLOC_PW = 0.25
PER_CUSTOM_OP_PW = 1.5
PER_TARGET_PW = 1.0  # each distinct deployment target kind needs its export/serving path redone
PER_SERVING_REPLACED_PW = 3.0  # a new server for the target's models: deploy, configure, load-test
PER_SERVING_RECONFIGURED_PW = 1.0  # the same server with a new model format
PER_TFX_PIPELINE_PW = 1.0  # one rebuilt pipeline per production model
PER_CUTOVER_PW = 0.5  # shadow traffic, canary and rollback for one served model
ASSUMED_CUSTOM_OPS = 2  # when the spec leaves them unknown: few, but not none
LOW, HIGH = 0.75, 1.6
UNKNOWN_LOW, UNKNOWN_HIGH = 0.5, 2.5
EXPERIENCE_FACTOR = {
    Experience.expert: 0.8,
    Experience.intermediate: 1.0,
    Experience.beginner: 1.3,
    Experience.none: 1.6,
    Experience.unknown: 1.0,
}


def _term(name: str, quantity: float, each: float) -> EffortTerm:
    return EffortTerm(name=name, quantity=quantity, person_weeks_each=each, person_weeks=quantity * each)


def _terms(spec: ProjectSpec, scope: Scope, share: float) -> tuple[EffortTerm, ...]:
    codebase = spec.codebase
    models = max(codebase.model_count, 1 if codebase.lines else 0) * share
    ops = scope.custom_ops if scope.custom_ops is not None else ASSUMED_CUSTOM_OPS
    terms = [
        _term("fixed overhead", 1, FIXED_PW),
        _term("models" + ("" if scope.models is not None else " (unknown: assumed)"), models, PER_MODEL_PW),
        _term(
            "thousand lines of ML code" + ("" if scope.lines is not None else " (unknown: assumed)"),
            codebase.lines / 1000 * share,
            PER_KLOC_PW,
        ),
        _term(
            "custom ops" + ("" if scope.custom_ops is not None else " (unknown: assumed)"),
            ops * share,
            PER_CUSTOM_OP_PW,
        ),
        _term("deployment target kinds", scope.target_kinds, PER_TARGET_PW),
    ]
    if scope.serving_to_replace:
        terms.append(_term("serving stacks to replace", len(scope.serving_to_replace), PER_SERVING_REPLACED_PW))
    if scope.serving_to_reconfigure:
        terms.append(
            _term("serving stacks to reconfigure", len(scope.serving_to_reconfigure), PER_SERVING_RECONFIGURED_PW)
        )
    if scope.tfx:
        terms.append(_term("TFX pipelines to rebuild (one per model)", models, PER_TFX_PIPELINE_PW))
    if scope.server or scope.serving_to_replace or scope.serving_to_reconfigure:
        terms.append(_term("production cut-overs (shadow, canary, rollback)", models, PER_CUTOVER_PW))
    return tuple(terms)


def estimate(spec: ProjectSpec, scope: Scope, strategy_factor: float, strategy_name: str, share: float = 1.0) -> Effort:
    """Effort of moving ``share`` of the codebase to the scope's target with the given strategy."""
    target = scope.target
    terms = _terms(spec, scope, share)
    level = getattr(spec.team.experience, target, Experience.none)
    experience = EXPERIENCE_FACTOR[level]
    factor = strategy_factor * experience
    point = sum(t.person_weeks for t in terms) * factor
    models = terms[1].quantity
    parallel = max(1, min(spec.team.size, int(models) + 1))
    sequential = min(point, (FIXED_PW + PER_MODEL_PW) * factor)  # inventory, then the pilot model, one after the other
    calendar = sequential + (point - sequential) / parallel
    assumptions = [
        "weights are planning assumptions from typical rewrites, not measurements: recalibrate after the pilot",
        "effort counts engineering time only; retraining compute and calendar waits are extra",
        f"calendar time runs the inventory and the pilot model in sequence, then assumes {parallel} engineer(s) "
        "in parallel (team size, at most one per model plus one)",
    ]
    if share < 1:
        assumptions.append(f"only {share:.0%} of the mixed codebase is assumed to need moving")
    low, high = LOW, HIGH
    unknown = []
    if not spec.codebase.size_known:
        unknown.append(
            f"the codebase size (assumed {spec.codebase.model_count} models and {spec.codebase.lines:,} lines; "
            "state codebase.lines_of_code and codebase.models)"
        )
    if scope.custom_ops is None:
        unknown.append(f"the number of custom ops (assumed {ASSUMED_CUSTOM_OPS}; state codebase.custom_ops)")
    if level is Experience.unknown:
        unknown.append(f"the team's {target} experience (state team.experience.{target})")
    if unknown:
        low, high = UNKNOWN_LOW, UNKNOWN_HIGH
        assumptions.append(
            f"the range is widened to {low}x-{high}x because the spec leaves unknown: " + "; ".join(unknown)
        )
    return Effort(
        low=round(point * low, 1),
        point=round(point, 1),
        high=round(point * high, 1),
        calendar_weeks=round(calendar, 1),
        formula=(
            "(fixed + models x 1.0 + kLOC x 0.25 + custom ops x 1.5 + target kinds x 1.0 + serving stacks replaced"
            " x 3.0 or reconfigured x 1.0 + TFX pipelines x 1.0 + production cut-overs x 0.5) x strategy x experience;"
            f" range {low}x-{high}x"
        ),
        terms=terms,
        factors=(
            (f"strategy: {strategy_name}", strategy_factor, "share of the work the strategy leaves"),
            (f"team experience in {target}: {level.value}", experience, "ramp-up on the target framework"),
        ),
        assumptions=tuple(assumptions),
    )
