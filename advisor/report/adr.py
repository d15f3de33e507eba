"""An architecture decision record in the MADR layout, for a repository's ``docs/decisions/`` folder.

The recommendation becomes a *proposed* decision: the team reviews it, then edits the status. Every
claim keeps its knowledge-base citation, so the record still says why after the report is gone.
Sections follow MADR 4: context, decision drivers, considered options, decision outcome with
consequences and confirmation, pros and cons per option, more information.
"""

from __future__ import annotations

import shlex

from advisor.report._text import (
    CLASSIC_TITLE,
    NOT_APPLICABLE_TITLE,
    SHARPEN_TITLE,
    STACK_TITLE,
    comparison_line,
    freshness_line,
    headline,
    md_cite,
    md_classic_items,
    md_code,
    md_reference_lines,
    md_text,
    model_intro,
    replay_line,
    stack_heading,
    stack_rows,
    weight_label,
)
from advisor.scoring.result import CriterionScore, Recommendation

TOP_DRIVERS = 5  # criteria listed as decision drivers: the rest carry too little of the score to drive it
CLEAR_GAP = 0.5  # rating gap (1-5 scale) that counts as a pro or a con of an option


def render(report: Recommendation, *, width: int | None = None, color: bool = False) -> str:
    """The report as one document (``width`` and ``color`` are for the terminal format: ignored here)."""
    out = ["---", "status: proposed"]
    if report.generated_at:
        out.append(f"date: {report.generated_at[:10]}")
    out += ["---", "", f"# {_title(report)}", ""]
    out += _context(report) + _drivers(report) + _options(report) + _outcome(report)
    out += _pros_and_cons(report) + _more_information(report)
    return "\n".join(out).rstrip() + "\n"


def _title(report: Recommendation) -> str:
    if report.winner is None:
        return f"No framework meets the hard constraints of {md_text(report.project)}"
    return f"Use {report.framework_name(report.winner)} for {md_text(report.project)}"


def _context(report: Recommendation) -> list[str]:
    options = " or ".join(s.name for s in report.ranking)
    out = ["## Context and Problem Statement", ""]
    if report.description:
        out += [md_text(report.description), ""]
    plan = report.migration
    if plan is not None and plan.source is not None:
        code = f"The project already has {_name(report, plan.source)} code."
    else:
        code = "The project has no existing ML code to carry over."
    out += [f"Which deep-learning framework should {md_text(report.project)} build on: {options}? {code}", ""]
    if report.fired_rules:
        out += ["What the spec says, as the rules it triggered:", ""]
        for r in report.fired_rules:
            scope = f" (for {', '.join(r.frameworks)})" if r.frameworks else ""
            out.append(f"- `{r.id}`{scope}: {r.summary}")
        out.append("")
    return out


def _drivers(report: Recommendation) -> list[str]:
    top = sorted((c for c in report.criteria if c.share > 0), key=lambda c: -c.share)[:TOP_DRIVERS]
    groups = sorted(report.groups, key=lambda g: -g.share)
    out = ["## Decision Drivers", ""]
    out += [f"- {c.name}: weight {weight_label(c.weight)}, {c.share:.0%} of the score" for c in top]
    out.append(
        "- Groups of criteria: "
        + "; ".join(f"{g.name} weight {weight_label(g.weight)} ({g.share:.0%})" for g in groups if g.share > 0)
    )
    exclusions = [(s.name, e) for s in report.ranking for e in s.exclusions]
    if not exclusions:
        out.append("- Hard constraints: none excludes an option.")
    for name, e in exclusions:
        by = ", ".join(f"`{w}`" for w in e.required_by)
        sources = f" Sources: {md_cite(e.cites)}" if e.cites else ""
        out.append(f"- Hard constraint (required by {by}): {name} {e.reason}.{sources}")
    return [*out, ""]


def _options(report: Recommendation) -> list[str]:
    out = ["## Considered Options", ""]
    for s in report.ranking:
        status = "excluded: " + "; ".join(e.reason for e in s.exclusions) if s.excluded else f"rank {s.rank}"
        out.append(f"- {s.name}: score {s.score:.2f} on the 1-5 scale ({status})")
    return [*out, ""]


def _outcome(report: Recommendation) -> list[str]:
    out = ["## Decision Outcome", ""]
    if report.winner is None:
        return [*out, "No option is chosen: every framework is excluded by a hard constraint.", ""]
    winner = report.framework_name(report.winner)
    favour = [r for r in report.reasons if r.favours == report.winner]
    if favour:
        because = "; ".join(r.text for r in favour[:3])
    elif len([s for s in report.ranking if not s.excluded]) == 1:
        because = "it is the only option that meets the hard constraints"
    else:
        because = "it scores highest"
    out += [f'Chosen option: "{winner}", because {because}.', "", headline(report), ""]
    if report.confidence is not None and report.confidence.capped:
        out += [f"Confidence is not reported as high, because {report.confidence.capped}.", ""]
    out += _stack(report) + _classic(report)
    if report.tipping_points:
        out += ["The decision would change if:", ""] + [f"- {t.text}" for t in report.tipping_points] + [""]
    out += _consequences(report) + _confirmation(report)
    return out


def _stack(report: Recommendation) -> list[str]:
    if not report.stacks:
        return []
    out = [f"### {STACK_TITLE}", ""]
    for stack in report.stacks:
        out.append(f"{stack_heading(report, stack)}:")
        out.append("")
        out += [f"- {role}: {name}. Sources: {md_cite(cites)}" for role, name, _, cites in stack_rows(report, stack)]
        out.append("")
    return out


def _classic(report: Recommendation) -> list[str]:
    if not report.classic_advice:
        return []
    return [f"### {CLASSIC_TITLE}", "", *md_classic_items(report, sources=False), ""]


def _consequences(report: Recommendation) -> list[str]:
    assert report.winner is not None
    out = ["### Consequences", ""]
    for r in report.reasons:
        verdict = "Good" if r.favours == report.winner else "Bad"
        out.append(f"- {verdict}, because {r.text} [{r.contribution:+.2f} of the margin]. Sources: {md_cite(r.cites)}")
    plan = report.migration
    if plan is not None and plan.needed and plan.effort is not None:
        chosen = plan.recommended_strategy
        strategy = chosen.name if chosen is not None else "the recommended strategy"
        out.append(
            f"- Bad, because the existing {_name(report, plan.source or '')} code must move to "
            f"{_name(report, plan.target)}: {plan.effort.low:g}-{plan.effort.high:g} person-weeks "
            f"(about {plan.effort.calendar_weeks:g} calendar weeks) with {strategy}."
        )
    elif plan is not None:
        out += [f"- Neutral, because staying has costs of its own: {c}" for c in plan.staying_costs]
    if len(out) == 2:
        out.append("- Neutral, because no criterion separates the options.")
    return [*out, ""]


def _confirmation(report: Recommendation) -> list[str]:
    checks = [f"- {n.text} ({n.source}; sources: {md_cite(n.cites)})" for n in report.notes]
    if report.evidence.kind == "documentary":
        checks.append("- Measure both frameworks on the target hardware (`advisor probe`) before committing.")
    if report.migration is not None and report.migration.needed:
        checks += [f"- {v}" for v in report.migration.verification]
    return ["### Confirmation", "", *checks, ""] if checks else []


def _pros_and_cons(report: Recommendation) -> list[str]:
    out = ["## Pros and Cons of the Options", ""]
    weighted = [c for c in report.criteria if c.share > 0]
    for s in report.ranking:
        status = "excluded" if s.excluded else ("chosen" if s.framework == report.winner else "not chosen")
        out += [f"### {s.name}", "", f"Score {s.score:.2f} ({status}).", ""]
        points = [p for c in weighted if (p := _point(report, c, s.framework))]
        points.sort(key=lambda p: (p[1], -p[0]))  # pros first, each by how much of the score it moves
        out += [line for _, _, line in points]
        out += [f"- Bad, because it is excluded: {e.reason}." for e in s.exclusions]
        if not points and not s.exclusions:
            out.append(f"- Neutral, because no weighted criterion differs by {CLEAR_GAP:g} or more.")
        out.append("")
    return out


def _point(report: Recommendation, c: CriterionScore, framework: str) -> tuple[float, int, str] | None:
    """A pro or con when this option's rating is clearly above or below the best of the others."""
    others = [(c.ratings[s.framework].value, s.name) for s in report.ranking if s.framework != framework]
    if not others:
        return None
    best, rival = max(others)
    mine = c.ratings[framework].value
    gap = mine - best
    if abs(gap) < CLEAR_GAP:
        return None
    verdict = "Good" if gap > 0 else "Bad"
    cited = [t.source for t in c.ratings[framework].terms if ":" not in t.source]
    other = [t.source for t in c.ratings[framework].terms if ":" in t.source]
    sources = " ".join(x for x in (md_cite(cited), " ".join(f"`{o}`" for o in other)) if x)
    line = f"- {verdict}, because {c.name}: {mine:.1f} vs {best:.1f} for {rival} ({c.share:.0%} of the score)."
    return abs(gap) * c.share, 0 if gap > 0 else 1, line + (f" Sources: {sources}" if sources else "")


def _more_information(report: Recommendation) -> list[str]:
    out = ["## More Information", "", f"- Evidence: {report.evidence.kind}. {report.evidence.note}"]
    if report.unknowns:
        out.append(f"- {SHARPEN_TITLE}:")
        out += [f"  - `{u.field}`: {u.text}" for u in report.unknowns]
    if report.not_applicable:
        out.append(
            f"- {NOT_APPLICABLE_TITLE}: {len(report.not_applicable)} knowledge entries "
            f"({', '.join(f'`{i}`' for i in report.not_applicable)})."
        )
    probe = report.evidence.probe
    if probe is not None and probe.model is not None:
        model = probe.model
        out.append(f"- {md_text(model_intro(model))}")
        out += [f"  - {md_text(comparison_line(c))}" for c in model.comparisons]
        out += [
            f"  - {md_text(f'{r.framework} to {r.target}: {r.route}: {r.status}')}"
            + (f" ({md_text(r.message[:200])})" if r.status != "ok" and r.message else "")
            for r in model.deploy
        ]
    if probe is not None:
        out.append(f"- Probes on `{probe.device}` at {probe.precision}, budget {probe.budget}:")
        out += [f"  - {c.workload} ({c.mode}): {c.verdict}" for c in probe.comparisons]
    out += [f"- {line}" for line in (replay_line(report), freshness_line(report)) if line]
    spec = f" from {md_code(report.spec_file)}" if report.spec_file else ""
    out.append(
        f"- Generated by framework-advisor {report.advisor_version}{spec}; knowledge base as of "
        f"{report.knowledge_as_of.isoformat()}"
        + (f"; generated {report.generated_at}." if report.generated_at else ".")
    )
    if report.spec_file:
        quoted = shlex.quote(report.spec_file)
        out.append(f"- Full report: {md_code(f'advisor recommend {quoted} --format html --output report.html')}.")
        if report.migration is not None and report.migration.needed:
            out.append(f"- Full migration plan: {md_code(f'advisor migrate {quoted}')}.")
    return [*out, "", *md_reference_lines(report.references, heading="### References")]


def _name(report: Recommendation, framework: str) -> str:
    return next((s.name for s in report.ranking if s.framework == framework), framework)
