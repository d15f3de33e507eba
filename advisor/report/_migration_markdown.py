"""The migration plan as Markdown: a section of the recommend report and the body of ``advisor migrate``."""

from __future__ import annotations

from collections.abc import Callable

from advisor.migration.model import MigrationPlan

Cite = Callable[[tuple[str, ...] | list[str]], str]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def migration_markdown(plan: MigrationPlan, names: dict[str, str], cite: Cite, level: int = 2) -> list[str]:
    """Lines of Markdown; ``level`` is the heading depth of the section title."""
    h = "#" * level
    target = names.get(plan.target, plan.target)
    out = [f"{h} Migration plan: to {target}", "", plan.reason, ""]
    if not plan.needed:
        if plan.staying_costs:
            out += ["What staying costs:", ""] + [f"- {c}" for c in plan.staying_costs] + [""]
        return out
    out += [
        f"{h}# Strategy",
        "",
        f"**Recommended: {_recommended_name(plan)}**, because {plan.recommendation_why}.",
        "",
        "| Strategy | What it means | Fits this codebase | Effort factor |",
        "|---|---|---|---:|",
    ]
    for s in plan.strategies:
        mark = "**recommended**: " if s.id == plan.recommended else ("yes: " if s.applicable else "no: ")
        out.append(f"| {s.name} | {_cell(s.summary)} | {mark}{_cell(s.why)} | {s.effort_factor:g} |")
    out += ["", f"{h}# Effort", "", *_effort(plan), "", f"{h}# Phases", ""]
    for number, phase in enumerate(plan.phases, 1):
        out.append(f"{number}. **{phase.name}**: {phase.goal} Exit when: {'; '.join(phase.exit_criteria)}.")
    out += [
        "",
        f"{h}# API and tooling map",
        "",
        "| Area | From | To | Equivalence | What to watch | Sources |",
        "|---|---|---|---|---|---|",
    ]
    for row in plan.api_map:
        sources = "; ".join(row.references) + (f"; {cite(row.cites)}" if row.cites else "")
        equivalence = "**none**" if row.equivalence == "none" else row.equivalence
        out.append(
            f"| {row.area} | {_cell(row.source)} | {_cell(row.target)} | {equivalence} | {_cell(row.note)} "
            f"| {_cell(sources)} |"
        )
    missing = [row.area for row in plan.api_map if row.equivalence == "none"]
    if missing:
        out += ["", f"No direct equivalent (plan a replacement or a redesign): {', '.join(missing)}."]
    if plan.unmapped:
        out += ["", f"Not yet mapped for this pair of frameworks (check by hand): {', '.join(plan.unmapped)}."]
    out += ["", f"{h}# Risks", ""] + [f"- **{r.risk}** Mitigation: {r.mitigation}" for r in plan.risks]
    out += ["", f"{h}# Verification", ""] + [f"- {v}" for v in plan.verification]
    if plan.cites:
        out += ["", f"Sources for the strategies: {cite(plan.cites)}"]
    return [*out, ""]


def _effort(plan: MigrationPlan) -> list[str]:
    effort = plan.effort
    assert effort is not None
    out = [
        f"**{effort.low:g}-{effort.high:g} person-weeks** (point estimate {effort.point:g}; about "
        f"{effort.calendar_weeks:g} calendar weeks). Formula: {effort.formula}.",
        "",
        "| Term | Quantity | Person-weeks each | Person-weeks |",
        "|---|---:|---:|---:|",
    ]
    out += [f"| {t.name} | {t.quantity:g} | {t.person_weeks_each:g} | {t.person_weeks:g} |" for t in effort.terms]
    out += [""] + [f"- Factor {name}: x{value:g} ({why})" for name, value, why in effort.factors]
    out += [f"- Assumption: {a}" for a in effort.assumptions]
    return out


def _recommended_name(plan: MigrationPlan) -> str:
    chosen = plan.recommended_strategy
    assert chosen is not None  # a needed migration always recommends one
    return chosen.name
