"""``evaluate(spec, knowledge, rules) -> Recommendation``: the pure core of the advisor (no I/O).

Ratings come from the knowledge base plus the rules that fire for this spec; weights from the
criteria's defaults, the rules and the spec's priorities; hard constraints exclude. The result carries
every number's provenance so any renderer can show why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from advisor import __version__
from advisor.errors import SpecError
from advisor.knowledge.load import KnowledgeBase
from advisor.migration.model import MigrationPlan
from advisor.migration.plan import plan_migration
from advisor.rules.engine import RuleOutcome, apply_rules
from advisor.rules.model import Rule
from advisor.scoring import confidence as conf
from advisor.scoring import sensitivity, whatif
from advisor.scoring.aggregate import Problem, rank_key
from advisor.scoring.classic import ClassicComparison, compare_with_classic_advice
from advisor.scoring.constraints import check_framework, required_capabilities
from advisor.scoring.draws import DEFAULT_DRAWS, DEFAULT_SEED
from advisor.scoring.explain import cited_entries, reasons, tipping_points
from advisor.scoring.ratings import (
    SD_KNOWN,
    Rating,
    documentary_ratings,
    not_applicable,
    not_yet_valid,
    then_current,
)
from advisor.scoring.result import (
    Aggregation,
    CitedEntry,
    Confidence,
    CriterionScore,
    Evidence,
    Exclusion,
    FiredRule,
    FrameworkScore,
    Freshness,
    GroupScore,
    Note,
    RatingOut,
    Recommendation,
    TermOut,
    TornadoBar,
    WhatIf,
)
from advisor.scoring.stack import recommend_stack
from advisor.scoring.unknowns import unknowns
from advisor.scoring.weights import BACKGROUND_CAP, MAX_WEIGHT, Weighted, compute_weights, mark_ties
from advisor.spec.derived import rule_facts
from advisor.spec.model import ProjectSpec

if TYPE_CHECKING:  # the probe models load only when evidence is given: start-up stays light
    from advisor.evidence.probe_run import ProbeRun
    from advisor.scoring.evidence import MeasuredEvidence

# The lead (1-5 scale) that stays decisive against the classic advice for the team's persona: a full
# rating point on average over the weighted criteria. Below it, a pick against the guide is at most "medium".
LARGE_MARGIN = 1.0
DOCUMENTARY = (
    "Ratings are documentary (knowledge base and rules); no probe was run, so performance "
    "ratings are not measured on your hardware."
)
NOTHING_MEASURED = (
    "Ratings are documentary (knowledge base and rules): the probes ran but measured nothing, so no "
    "rating uses a measurement."
)


def evaluate(
    spec: ProjectSpec,
    kb: KnowledgeBase,
    rules: Sequence[Rule],
    *,
    spec_file: str | None = None,
    seed: int = DEFAULT_SEED,
    draws: int = DEFAULT_DRAWS,
    generated_at: str | None = None,
    evidence: ProbeRun | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
) -> Recommendation:
    """Score every framework for ``spec`` and explain the outcome; ``evidence`` adds measurements.

    ``as_of`` evaluates with the knowledge that was valid on that date (a replay of a past decision);
    ``today`` is the day the report is made for, against which review dates are checked (default: the
    system date, or ``as_of``).
    """
    frameworks = list(kb.frameworks)
    facts = rule_facts(spec)
    outcome = apply_rules(facts, rules, frameworks)
    ratings = spec_ratings(kb, outcome, facts, as_of)
    measured = None
    if evidence is not None:
        from advisor.scoring.evidence import evidence_from

        measured = evidence_from(evidence, frameworks)
        for key in set(measured.terms) | set(measured.sds):
            ratings[key] = ratings[key].with_terms(list(measured.terms.get(key, ())), sd=measured.sds.get(key))
    weights, group_weights = compute_weights(kb, outcome.weight_steps, spec)
    required = required_capabilities(spec, outcome.requirements)
    checks = {fw: check_framework(fw, spec, kb, required, ratings) for fw in frameworks}
    if as_of is not None:
        for fw in frameworks:
            checks[fw][0].extend(_not_released(kb, fw, as_of))
    candidates = [fw for fw in frameworks if not checks[fw][0]]
    weights = mark_ties(kb, weights, {k: r.value for k, r in ratings.items()}, candidates)
    problem = Problem(
        candidates=candidates,
        criteria=list(kb.criteria),
        weights={c: w.value for c, w in weights.items()},
        ratings={k: r.value for k, r in ratings.items()},
        sds={k: r.sd for k, r in ratings.items()},
        group_of={c: criterion.group for c, criterion in kb.criteria.items()},
        group_weights={g: w.value for g, w in group_weights.items()},
        group_reference={g: kb.group_reference(g) for g in kb.groups},
    )
    shares = problem.shares()
    if sum(shares.values()) <= 0:
        raise SpecError(
            "every criterion or group has weight 0; give at least one a weight above 0",
            path=spec_file,
            field="priorities",
        )
    scores = {fw: problem.score(fw, shares) for fw in frameworks}
    order = sorted(frameworks, key=lambda fw: (fw not in candidates, -rank_key(scores[fw]), frameworks.index(fw)))
    winner = order[0] if candidates else None
    rule_index = {r.id: r for r in rules}
    migration = plan_migration(spec, kb, winner, measured_routes(evidence, winner)) if winner else None
    runner_up = next((fw for fw in order[1:] if fw in candidates), None)
    stacks = tuple(recommend_stack(kb, facts, fw) for fw in (winner, runner_up) if fw is not None)
    classic = compare_with_classic_advice(kb, facts, winner) if winner else ()
    extra_cites = [
        *_migration_cites(migration),
        *(c for stack in stacks for c in stack.cites),
        *(c for comparison in classic for c in comparison.overturned_by),
    ]
    references = cited_entries(kb, ratings, rule_index, outcome, checks, extra_cites)
    if as_of is not None:  # a replay cites only what was true then, wherever the citation comes from
        references = tuple(c for c in references if kb.entries[c.id].valid_on(as_of))
    return Recommendation(
        advisor_version=__version__,
        project=spec.name,
        description=spec.description,
        spec_file=spec_file,
        knowledge_as_of=kb.as_of,
        as_of=as_of,
        not_yet_valid=not_yet_valid(kb, facts, as_of) if as_of else (),
        then_current=then_current(kb, facts, as_of) if as_of else (),
        generated_at=generated_at,
        winner=winner,
        ranking=tuple(
            FrameworkScore(
                framework=fw,
                name=kb.frameworks[fw].name,
                score=scores[fw],
                margin=scores[winner] - scores[fw] if winner and fw in candidates else None,
                rank=i + 1,
                excluded=bool(checks[fw][0]),
                exclusions=tuple(checks[fw][0]),
                warnings=tuple(checks[fw][1]),
            )
            for i, fw in enumerate(order)
        ),
        confidence=_confidence(problem, winner, order, scores, seed, draws, spec, kb, classic) if winner else None,
        tipping_points=tipping_points(problem, winner, kb, MAX_WEIGHT) if winner else (),
        tornado=_tornado(problem, winner),
        aggregation=Aggregation(max_weight=MAX_WEIGHT, background_cap=BACKGROUND_CAP),
        whatif=_whatif(problem, weights, group_weights, spec) if candidates else None,
        reasons=reasons(problem, order, kb, ratings, rule_index) if len(order) > 1 else (),
        groups=_groups(kb, group_weights, problem),
        criteria=_criteria(kb, weights, ratings, problem),
        notes=tuple(Note(source=f"rule:{n.rule_id}", text=n.text, cites=n.cites) for n in outcome.notes),
        fired_rules=_fired(outcome, rule_index),
        evidence=_evidence(evidence, measured),
        migration=migration,
        references=references,
        freshness=freshness(kb, references, as_of or today or dt.date.today()),
        not_applicable=not_applicable(kb, facts),
        unknowns=unknowns(spec, tuple(candidates)),
        stacks=stacks,
        classic_advice=classic,
    )


def _not_released(kb: KnowledgeBase, framework: str, day: dt.date) -> list[Exclusion]:
    """Excludes a framework that did not exist yet on ``day`` (a replay of a past decision)."""
    released = kb.frameworks[framework].released
    if released is None or released.as_of <= day:
        return []
    reason = f"{kb.frameworks[framework].name} did not exist yet: first released {released.as_of.isoformat()}"
    return [Exclusion(kind="not_released", reason=reason, required_by=("--as-of",), cites=())]


def freshness(kb: KnowledgeBase, cited: Sequence[CitedEntry], on: dt.date) -> Freshness | None:
    """How old the cited knowledge is on ``on``, and which cited entries are past their review date."""
    entries = [kb.entries[c.id] for c in cited]
    if not entries:
        return None
    return Freshness(
        on=on,
        oldest_review=min(e.reviewed for e in entries),
        newest_review=max(e.reviewed for e in entries),
        past_review=tuple(sorted(e.id for e in entries if e.review_by < on)),
    )


def _evidence(run: ProbeRun | None, measured: MeasuredEvidence | None) -> Evidence:
    """The evidence note: documentary without a run, and also when a run measured nothing (then it says
    why per framework); otherwise what ran, where, and what the measurements did to the ratings."""
    if run is None or measured is None:
        return Evidence(kind="documentary", note=DOCUMENTARY)
    from advisor.scoring.evidence import evidence_note
    from advisor.scoring.probe_summary import coverage, summarize_run

    covered = coverage(run)
    said = "; ".join(c.sentence() for c in covered)
    if not any(c.measured for c in covered):
        return Evidence(kind="documentary", note=f"{NOTHING_MEASURED} {said}.")
    note = evidence_note(run, measured, run.settings.frameworks, said)
    return Evidence(kind="measured", note=note, probe=summarize_run(run, measured.warnings))


def spec_ratings(
    kb: KnowledgeBase, outcome: RuleOutcome, facts: Mapping[str, Any] | None = None, on: dt.date | None = None
) -> dict[tuple[str, str], Rating]:
    """Ratings from the entries that apply to ``facts`` (as they stood ``on`` a date, None: today), with the
    fired rules' adjustments applied."""
    ratings = documentary_ratings(kb, facts, on)
    for key, terms in outcome.rating_terms.items():
        widest = max((t.sd for t in terms if t.sd is not None), default=SD_KNOWN)
        ratings[key] = ratings[key].with_terms(list(terms), sd=max(widest, SD_KNOWN))
    return ratings


def measured_routes(run: ProbeRun | None, framework: str | None) -> tuple[str, ...]:
    """One line per deployment check of ``framework`` in ``run``, for the migration plan's verification:
    the team's own model's checks first (they outrank the synthetic ones), then the probe models'."""
    if run is None or framework is None:
        return ()
    lines = []
    own = run.settings.model
    for result in run.model.results if run.model is not None else []:
        for check in result.deploy_checks if result.framework == framework else ():
            ref = own.source.ref if own is not None else "your model"
            lines.append(f"your model {ref}: {check.route} ({check.target}): {check.status}; {_detail(check)}")
    for result in run.results:
        for check in result.deploy_checks if result.framework == framework else ():
            lines.append(f"{check.route} ({check.workload}, {check.target}): {check.status}; {_detail(check)}")
    return tuple(lines)


def _detail(check: Any) -> str:
    if check.max_abs_error is not None:
        return f"max abs error {check.max_abs_error:.2g}, {check.tolerance}"
    return str(check.message)[:160]


def _migration_cites(plan: MigrationPlan | None) -> list[str]:
    if plan is None:
        return []
    return [*plan.cites, *(c for row in plan.api_map for c in row.cites)]


def _whatif(problem: Problem, weights: Weighted, group_weights: Weighted, spec: ProjectSpec) -> WhatIf:
    """The spec's priorities and the golden vectors the what-if page checks itself against."""
    base_criteria = {c: w.base for c, w in weights.items()}
    base_groups = {g: w.base for g, w in group_weights.items()}
    own = dict(spec.priorities)
    return WhatIf(
        candidates=tuple(problem.candidates),
        priorities=own,
        vectors=tuple(
            whatif.vector(whatif.with_priorities(problem, base_groups, base_criteria, setting), setting)
            for setting in whatif.settings(problem, own)
        ),
    )


def _tornado(problem: Problem, winner: str | None) -> tuple[TornadoBar, ...]:
    if winner is None or len(problem.candidates) < 2:
        return ()
    return tuple(
        TornadoBar(
            criterion=bar.criterion,
            weight=bar.weight,
            at_zero=bar.at_zero,
            rival_at_zero=bar.rival_at_zero,
            at_max=bar.at_max,
            rival_at_max=bar.rival_at_max,
        )
        for bar in sensitivity.tornado(problem, winner, MAX_WEIGHT)
    )


def _confidence(
    problem: Problem,
    winner: str,
    order: list[str],
    scores: Mapping[str, float],
    seed: int,
    draws: int,
    spec: ProjectSpec,
    kb: KnowledgeBase,
    classic: Sequence[ClassicComparison] = (),
) -> Confidence:
    shares = conf.win_shares(problem, draws, seed)
    probability = shares.get(winner, 0.0)
    rivals = [fw for fw in problem.candidates if fw != winner]
    margin = scores[winner] - max(scores[fw] for fw in rivals) if rivals else None
    level = conf.level(probability)
    reasons = honesty_caps(spec, kb, classic, margin, problem.candidates)
    capped = "; ".join(reasons) if level == "high" and reasons else None
    if capped:
        level = "medium"
    return Confidence(
        win_probability=round(probability, 3),
        level=level,  # type: ignore[arg-type]
        capped=capped,
        margin=margin,
        shares={fw: round(shares.get(fw, 0.0), 3) for fw in order if fw in problem.candidates},
        draws=draws,
        seed=seed,
        method=(
            f"share of {draws} draws (seed {seed}) in which the pick still wins when every "
            f"weight varies log-normally (sigma {conf.WEIGHT_SIGMA}) and every rating by its sd"
        ),
    )


def honesty_caps(
    spec: ProjectSpec,
    kb: KnowledgeBase,
    classic: Sequence[ClassicComparison],
    margin: float | None,
    candidates: Sequence[str] | None = None,
) -> list[str]:
    """Why the confidence must not be reported as high, whatever the draws say (empty: no reason).

    The Monte Carlo only perturbs what the model represents. Two things it cannot see: documented
    advice for this team's persona that points the other way (a close call between guide and facts
    unless the lead is at least a full rating point), and a team whose strongest framework is not a
    candidate at all (not in the knowledge base, or excluded by the spec), so the comparison leaves out
    its most likely answer.
    """
    compared = set(kb.frameworks if candidates is None else candidates)
    out = []
    disagreeing = [c for c in classic if not c.agrees]
    if disagreeing and margin is not None and margin < LARGE_MARGIN:
        first = disagreeing[0]
        out.append(
            f"the classic advice for this team ({first.persona}: {kb.frameworks[first.guide_says].name}) "
            f"disagrees with the pick and the lead ({margin:.2f}) is under {LARGE_MARGIN:g} rating point"
        )
    levels = {"none": 0, "beginner": 1, "intermediate": 2, "expert": 3}
    experience = spec.team.experience.model_dump(mode="json")
    known = {fw: levels.get(level, -1) for fw, level in experience.items()}
    best = max(known.values())
    outside = [fw for fw, level in known.items() if fw not in compared and level == best and level >= 2]
    if outside and all(known.get(fw, -1) < best for fw in compared):
        named = ", ".join(kb.frameworks[fw].name if fw in kb.frameworks else fw for fw in outside)
        out.append(
            f"the team's strongest framework ({named}) is not among the candidates, so the "
            "comparison leaves out the option it knows best"
        )
    return out


def _groups(kb: KnowledgeBase, weights: Weighted, problem: Problem) -> tuple[GroupScore, ...]:
    shares = problem.shares()
    return tuple(
        GroupScore(
            group=g,
            name=group.name,
            weight=weights[g].value,
            base_weight=weights[g].base,
            reference=problem.group_reference[g],
            share=sum(s for c, s in shares.items() if kb.criteria[c].group == g),
            weight_steps=weights[g].steps,
        )
        for g, group in kb.groups.items()
    )


def _criteria(
    kb: KnowledgeBase,
    weights: Weighted,
    ratings: Mapping[tuple[str, str], Rating],
    problem: Problem,
) -> tuple[CriterionScore, ...]:
    effective, shares = problem.effective(), problem.shares()
    return tuple(
        CriterionScore(
            criterion=c,
            name=criterion.name,
            group=criterion.group,
            weight=weights[c].value,
            base_weight=weights[c].base,
            effective_weight=effective[c],
            share=shares[c],
            weight_steps=weights[c].steps,
            ratings={
                fw: RatingOut(
                    value=ratings[(c, fw)].value,
                    sd=ratings[(c, fw)].sd,
                    terms=tuple(TermOut(source=t.source, delta=t.delta) for t in ratings[(c, fw)].terms),
                )
                for fw in kb.frameworks
            },
        )
        for c, criterion in kb.criteria.items()
    )


def _fired(outcome: RuleOutcome, rule_index: Mapping[str, Rule]) -> tuple[FiredRule, ...]:
    by_rule: dict[str, list[str]] = {}
    for firing in outcome.firings:
        by_rule.setdefault(firing.rule_id, [])
        if firing.framework:
            by_rule[firing.rule_id].append(firing.framework)
    return tuple(
        FiredRule(id=rid, summary=rule_index[rid].summary, frameworks=tuple(fws), cites=tuple(rule_index[rid].cites))
        for rid, fws in by_rule.items()
    )
