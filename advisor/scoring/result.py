"""The engine's result: the immutable recommendation that scoring builds and every renderer formats.

Its JSON form is versioned.

Bump ``REPORT_SCHEMA_VERSION`` (major) when a field is removed or changes meaning, (minor) when one
is added. Computed numbers (scores, shares, margins, thresholds) are kept at full precision so that
anyone can recompute them from the JSON's weights and ratings (docs/arithmetic.md); renderers round
them for display with the same format everywhere. The JSON is byte-for-byte stable.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from advisor.migration.model import MigrationPlan
from advisor.scoring.classic import ClassicComparison
from advisor.scoring.stack import RecommendedStack

# 2.0: one linear aggregation (effective weight = weight x group weight / group reference), shares and
# scores at full precision, margins, the tornado and the aggregation's constants in the report.
REPORT_SCHEMA_VERSION = "2.0"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TermOut(_Frozen):
    """One contribution to a rating: ``source`` is a knowledge id, ``rule:<id>`` or ``evidence:<id>``."""

    source: str
    delta: float


class RatingOut(_Frozen):
    value: float
    sd: float
    terms: tuple[TermOut, ...]


class WeightStepOut(_Frozen):
    source: str  # rule:<id>, spec:priorities, default, model:tie or model:background-cap
    op: Literal["default", "set", "add", "scale", "priority", "tie", "cap"]
    value: float


class GroupScore(_Frozen):
    """A group of criteria: its weight (a multiplier on its criteria), its reference weight, its share."""

    group: str
    name: str
    weight: float
    base_weight: float  # before the spec's priority
    reference: float  # N_g: the summed criterion weight at which the group counts once
    share: float  # the sum of its criteria's shares
    weight_steps: tuple[WeightStepOut, ...]


class CriterionScore(_Frozen):
    criterion: str
    name: str
    group: str
    weight: float  # w_c, after rules, cap, priority and tie
    base_weight: float  # before the spec's priority and a tie
    effective_weight: float  # e_c = weight x group weight / group reference
    share: float  # e_c over the sum of all e: the criterion's share of the score
    weight_steps: tuple[WeightStepOut, ...]
    ratings: dict[str, RatingOut]


class Exclusion(_Frozen):
    """Why a framework cannot be chosen (a hard constraint), with the knowledge behind it."""

    kind: Literal["policy", "capability", "min_rating", "not_released"]
    reason: str
    required_by: tuple[str, ...]  # "spec" and/or rule:<id>
    cites: tuple[str, ...]


class FrameworkScore(_Frozen):
    framework: str
    name: str
    score: float  # sum over criteria of share x rating
    margin: float | None  # the pick's score minus this one (0 for the pick; None when excluded or no pick)
    rank: int
    excluded: bool
    exclusions: tuple[Exclusion, ...]
    warnings: tuple[str, ...]


class Reason(_Frozen):
    """A criterion that separates the winner from the runner-up, and the entries behind it."""

    criterion: str
    favours: str
    contribution: float  # share of the score margin this criterion accounts for
    text: str
    cites: tuple[str, ...]


class TippingPoint(_Frozen):
    """The smallest single change that would make ``new_winner`` win instead."""

    kind: Literal["weight", "group_weight", "rating"]
    target: str  # criterion id, or group id for group_weight
    framework: str | None  # for rating tipping points: whose rating moves
    direction: Literal["raise", "lower"]
    current: float
    threshold: float  # where the gap is exactly 0; any change past it makes new_winner the pick
    new_winner: str
    text: str


class TornadoBar(_Frozen):
    """The pick's margin over the best other candidate with one criterion's weight at 0 and at the maximum."""

    criterion: str
    weight: float
    at_zero: float
    rival_at_zero: str
    at_max: float
    rival_at_max: str


class WhatIfRank(_Frozen):
    framework: str
    score: float


class WhatIfTip(_Frozen):
    kind: Literal["weight", "group_weight", "rating"]
    target: str
    framework: str | None
    threshold: float
    new_winner: str


class WhatIfVector(_Frozen):
    """The engine's result for one set of priorities: the page recomputes it on load and must agree."""

    priorities: dict[str, float]  # the spec's own priorities with this setting's changes on top
    ranking: tuple[WhatIfRank, ...]  # candidates only, best first
    shares: dict[str, float]
    tipping_points: tuple[WhatIfTip, ...]  # as the report would show them, weight tips first


class WhatIf(_Frozen):
    """What the live what-if page needs beyond the criteria and groups: the spec's own priorities, and
    golden vectors that the page recomputes on load (a mismatch is shown as an error on the page)."""

    candidates: tuple[str, ...]  # in the knowledge base's order, which breaks exact ties
    priorities: dict[str, float]
    vectors: tuple[WhatIfVector, ...]


class Aggregation(_Frozen):
    """The constants of the aggregation, so a reader can redo every number (docs/arithmetic.md)."""

    formula: str = (
        "effective weight = weight x group weight / group reference; "
        "share = effective weight / sum of effective weights; score = sum of share x rating"
    )
    max_weight: float
    background_cap: float  # a background criterion weighs at most this times its group's reference


class Confidence(_Frozen):
    win_probability: float
    level: Literal["high", "medium", "low"]
    margin: float | None  # lead over the best other candidate; None when the pick is the only one
    draws: int
    seed: int
    method: str
    capped: str | None = None  # why the level was lowered from what the draws alone say
    shares: dict[str, float] = {}  # per candidate, the share of draws it wins (the pick's is win_probability)


class Note(_Frozen):
    source: str
    text: str
    cites: tuple[str, ...]


class FiredRule(_Frozen):
    id: str
    summary: str
    frameworks: tuple[str, ...]  # empty for rules that are not per-framework
    cites: tuple[str, ...]


class ReferenceOut(_Frozen):
    source: str
    as_of: dt.date
    note: str | None
    title: str | None = None  # what a seed:<file> source is (title, date, kind), so it resolves in every report


class CitedEntry(_Frozen):
    id: str
    summary: str
    status: str
    references: tuple[ReferenceOut, ...]


class ProbeRow(_Frozen):
    """One framework x workload x mode of a probe run, in display units (ms, MB)."""

    framework: str
    workload: str
    mode: str
    status: str
    message: str
    train_ms: float | None
    train_p95_ms: float | None
    train_iqr_ms: float | None
    train_n: int | None
    samples_per_s: float | None
    b1_p50_ms: float | None
    b1_p95_ms: float | None
    throughput: float | None
    peak_mb: float | None
    first_step_s: float | None
    energy_mj_per_sample: float | None
    noisy: bool


class ProbeFramework(_Frozen):
    """How one framework's child ran, where, and with which settings."""

    framework: str
    status: str
    message: str
    wall_s: float
    over_budget: bool
    environment: dict[str, str | int | bool | None] | None
    settings: dict[str, str | int | float | bool | None]


class ProbeComparison(_Frozen):
    """One pairwise timing comparison: ``ratio`` is ``a``'s time over ``b``'s."""

    a: str = "pytorch"
    b: str = "tensorflow"
    workload: str
    mode: str
    metric: str
    ratio: float
    low: float
    high: float
    winner: str | None
    verdict: str
    outcome: str = "counted"  # counted, or why not: unstable, no_difference, within_noise, rounds_disagree


class DeployRow(_Frozen):
    """One deployment check as shown in the report, beside the criterion it is evidence for."""

    framework: str
    target: str
    criterion: str
    workload: str
    route: str
    status: str
    message: str
    max_abs_error: float | None
    max_rel_error: float | None
    tolerance: str | None
    size_kb: float | None
    convert_s: float | None


class ModelSummary(_Frozen):
    """The team's own model in a probe run: what it is, how it ran in each framework (rows filed under
    the framework; a Keras 3 model's ``settings`` name its ``keras_backend``), the comparisons between
    those frameworks, and its deployment checks. Reports show it above the synthetic workloads."""

    ref: str
    described: str
    runtimes: tuple[str, ...]
    params: int | None
    rows: tuple[ProbeRow, ...]
    comparisons: tuple[ProbeComparison, ...]
    deploy: tuple[DeployRow, ...]
    frameworks: tuple[ProbeFramework, ...]
    notes: tuple[str, ...]


class ScaleRowOut(_Frozen):
    """One framework x workload x strategy of the scaling probe, in display units (ms, MB)."""

    framework: str
    workload: str
    strategy: str  # data_parallel or sharded
    implementation: str
    workers: int
    per_worker_batch: int
    status: str
    message: str
    single_ms: float | None  # median step at 1 worker
    scaled_ms: float | None  # median step at N workers
    scaled_iqr_ms: float | None
    efficiency: float | None  # weak scaling: single over scaled (1.0 is linear)
    exposed_comm_ms: float | None  # communication not hidden behind compute
    first_step_s: float | None  # at N workers: tracing, compilation and collective set-up
    memory_single_mb: float | None
    memory_scaled_mb: float | None  # the largest worker's peak
    numerics: str  # "ok (max relative difference 3e-08)", "FAILED ...", or "not checked"


class BandwidthOut(_Frozen):
    """All-reduce of one message size in a framework's own collective."""

    framework: str
    workers: int
    size_mb: float
    time_ms: float
    busbw_gbps: float  # algbw x 2(n-1)/n (nccl-tests' bus bandwidth)


class ScaleSummary(_Frozen):
    """The scaling probe as the report shows it; ``not_run`` says which paths (GPU, several nodes) did not run."""

    workers: int
    nodes: int
    device: str
    threads_per_worker: int
    rows: tuple[ScaleRowOut, ...]
    bandwidth: tuple[BandwidthOut, ...]
    comparisons: tuple[ProbeComparison, ...]
    frameworks: tuple[ProbeFramework, ...]
    launchers: tuple[tuple[str, str], ...]  # (framework, the N-worker launch command)
    not_run: tuple[str, ...]


class ProbeSummary(_Frozen):
    device: str
    precision: str
    budget: str
    wall_s: float
    rows: tuple[ProbeRow, ...]
    comparisons: tuple[ProbeComparison, ...]
    frameworks: tuple[ProbeFramework, ...]
    warnings: tuple[str, ...]
    deploy: tuple[DeployRow, ...] = ()
    model: ModelSummary | None = None  # the team's own model, shown above the synthetic workloads
    scale: ScaleSummary | None = None  # the scaling probe (advisor probe --scale), where it ran


class Evidence(_Frozen):
    kind: Literal["documentary", "measured"]
    note: str
    probe: ProbeSummary | None = None


class Freshness(_Frozen):
    """How old the knowledge a report cites is, on the date the report was made for."""

    on: dt.date  # the date of the check: the --as-of date, or the day the report was made
    oldest_review: dt.date  # the cited entry checked longest ago
    newest_review: dt.date
    past_review: tuple[str, ...]  # cited entries whose review-by date (reviewed + shelf life) has passed


class Unknown(_Frozen):
    """A field the spec leaves unknown and what stating it would sharpen."""

    field: str
    text: str


class Recommendation(_Frozen):
    """Everything a report shows; built by :func:`advisor.scoring.evaluate.evaluate`."""

    schema_version: str = REPORT_SCHEMA_VERSION
    advisor_version: str
    project: str
    description: str
    spec_file: str | None
    knowledge_as_of: dt.date
    as_of: dt.date | None = None  # evaluated with the knowledge valid on this date (advisor recommend --as-of)
    not_yet_valid: tuple[str, ...] = ()  # entries for this project left out: not yet true on as_of
    then_current: tuple[str, ...] = ()  # entries stale today that still held on as_of, counted as they were then
    freshness: Freshness | None = None
    generated_at: str | None  # only when asked for (--timestamp): outputs are reproducible otherwise
    winner: str | None
    ranking: tuple[FrameworkScore, ...]
    confidence: Confidence | None
    tipping_points: tuple[TippingPoint, ...]
    tornado: tuple[TornadoBar, ...]  # widest first; empty with fewer than two candidates
    aggregation: Aggregation
    whatif: WhatIf | None  # None when no framework is a candidate
    reasons: tuple[Reason, ...]
    groups: tuple[GroupScore, ...]
    criteria: tuple[CriterionScore, ...]
    notes: tuple[Note, ...]
    fired_rules: tuple[FiredRule, ...]
    evidence: Evidence
    migration: MigrationPlan | None  # None only when no framework can be picked
    references: tuple[CitedEntry, ...]
    not_applicable: tuple[str, ...] = ()  # entries with effects that do not bear on this project
    unknowns: tuple[Unknown, ...] = ()  # what would sharpen this answer
    stacks: tuple[RecommendedStack, ...] = ()  # what to build on: the pick first, then the runner-up
    classic_advice: tuple[ClassicComparison, ...] = ()  # the seeds' guide for this persona vs the pick

    def framework_name(self, framework_id: str) -> str:
        return next(s.name for s in self.ranking if s.framework == framework_id)
