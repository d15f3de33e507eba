"""Wording shared by the human-readable renderers, so terminal and Markdown say the same thing."""

from __future__ import annotations

import re

from advisor.scoring.classic import ClassicComparison
from advisor.scoring.result import (
    CitedEntry,
    CriterionScore,
    DeployRow,
    ModelSummary,
    ProbeComparison,
    ProbeRow,
    Recommendation,
    ScaleRowOut,
    ScaleSummary,
)
from advisor.scoring.stack import RecommendedStack

SHARPEN_TITLE = "What would sharpen this answer"
NOT_APPLICABLE_TITLE = "Left out as not relevant to this project"
NOT_APPLICABLE_INTRO = (
    "These knowledge entries carry rating effects but are about hardware, targets, domains or code this "
    "spec does not have, so they count for nothing here."
)


# The Why table's number: the criterion's effective weight times the rating gap between the pick and
# the runner-up, so the column sums (over every criterion) to the pick's lead. "Share" is kept for a
# criterion's share of the score (the ratings table): one meaning per column name.
MARGIN_COLUMN = "Margin"
MARGIN_MEANING = "Margin: what a criterion adds to (+) or takes from (-) the pick's lead, in score points."
ARITHMETIC_MEANING = (
    "Effective weight = weight x group weight / group reference; Share = effective weight / the total of "
    "effective weights; Score = the sum of share x rating (docs/arithmetic.md)."
)
TIE_MEANING = "tie: every candidate has the same rating, so the criterion cannot separate them and weighs 0."
CAP_MEANING = (
    "(capped): nothing in this spec raised the criterion or its group, so its weight is at most {cap:g} times "
    "its group's reference weight."
)


def cap_meaning(report: Recommendation) -> str:
    return CAP_MEANING.format(cap=report.aggregation.background_cap)


def effective_cell(criterion: CriterionScore) -> str:
    return f"{criterion.effective_weight:.2f}"


def group_lines(report: Recommendation) -> list[str]:
    """Each group with a share: its weight, reference and share, so the effective weights can be redone."""
    total = sum(c.effective_weight for c in report.criteria)
    lines = [
        f"{g.name}: weight {weight_label(g.weight)}, reference {weight_label(g.reference)}, {g.share:.0%}"
        for g in report.groups
        if g.share > 0
    ]
    return [*lines, f"total effective weight {total:.3f}"]


def headline(report: Recommendation) -> str:
    """One sentence: the pick, its score against the runner-up, and how sure we are."""
    if report.winner is None:
        return "No framework meets the hard constraints: every option is excluded."
    pick = report.ranking[0]
    conf = report.confidence
    assert conf is not None
    others = [s for s in report.ranking[1:] if not s.excluded]
    versus = f" vs {others[0].name} {others[0].score:.2f}" if others else " (the only candidate)"
    return (
        f"{pick.name} (score {pick.score:.2f}{versus}); confidence {conf.level}: "
        f"it stays the pick in {conf.win_probability:.0%} of perturbed scenarios."
    )


def replay_line(report: Recommendation) -> str | None:
    """What an --as-of report left out or counted differently, naming the entries (None without --as-of)."""
    if report.as_of is None:
        return None
    day = report.as_of.isoformat()
    text = f"Replayed with the knowledge valid on {day}: "
    if report.not_yet_valid:
        text += (
            f"{len(report.not_yet_valid)} entries that bear on this project were not yet true then and are "
            f"left out ({', '.join(report.not_yet_valid)})"
        )
    else:
        text += "every entry that bears on this project was already true then"
    if report.then_current:
        text += f"; {len(report.then_current)} stale today count as they stood then ({', '.join(report.then_current)})"
    return text + "."


def freshness_line(report: Recommendation) -> str | None:
    """How old the cited knowledge is, and which cited entries are past their review date."""
    fresh = report.freshness
    if fresh is None:
        return None
    text = (
        f"The cited knowledge was last checked between {fresh.oldest_review.isoformat()} and "
        f"{fresh.newest_review.isoformat()}; on {fresh.on.isoformat()} "
    )
    if not fresh.past_review:
        return text + "no cited entry is past its review date."
    return (
        text + f"{len(fresh.past_review)} cited entries are past their review date ({', '.join(fresh.past_review)}; "
        "`advisor kb stale` lists them with their sources)."
    )


def draw_shares(report: Recommendation) -> str | None:
    """How the perturbed draws split between the candidates, when there are more than two (with two,
    the runner-up's share is simply what the pick does not win)."""
    conf = report.confidence
    if conf is None or len(conf.shares) <= 2:
        return None
    parts = ", ".join(f"{report.framework_name(fw)} {share:.1%}" for fw, share in conf.shares.items())
    return f"Share of draws each candidate wins: {parts}."


def weight_label(value: float) -> str:
    return f"{value:g}"


def weight_cell(criterion: CriterionScore) -> str:
    """The weight as a table shows it: 'tie' when every candidate rates the same, '(capped)' when a
    background weight was limited (see :mod:`advisor.scoring.weights`)."""
    ops = {step.op for step in criterion.weight_steps}
    if "tie" in ops:
        return "tie"
    return weight_label(criterion.weight) + (" (capped)" if "cap" in ops else "")


def shown_criteria(report: Recommendation) -> list[CriterionScore]:
    """Criteria that carry a share of the score or tie (shown so the reader sees they were weighed)."""
    return [c for c in report.criteria if c.share > 0 or any(s.op == "tie" for s in c.weight_steps)]


def delta(value: float) -> str:
    return f"{value:+.1f}"


def number(value: float | int | None, digits: int = 2) -> str:
    """A table cell: '-' for missing values."""
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


PROBE_COLUMNS = (
    "Framework",
    "Workload",
    "Mode",
    "Status",
    "Train step ms (p50 / p95, IQR, n)",
    "Samples/s",
    "Batch-1 ms (p50 / p95)",
    "Large-batch samples/s",
    "Peak MB",
    "First step s",
    "Energy mJ/sample",
)


def probe_cells(row: ProbeRow) -> tuple[str, ...]:
    """One probe row as display strings, shared by the terminal and Markdown renderers."""
    train = (
        "-"
        if row.train_ms is None
        else (
            f"{row.train_ms:.2f} / {number(row.train_p95_ms)}, {number(row.train_iqr_ms)}, {row.train_n}"
            + (" (noisy)" if row.noisy else "")
        )
    )
    b1 = "-" if row.b1_p50_ms is None else f"{row.b1_p50_ms:.2f} / {number(row.b1_p95_ms)}"
    status = row.status if row.status == "ok" else f"{row.status}: {row.message}"
    return (
        row.framework,
        row.workload,
        row.mode,
        status,
        train,
        number(row.samples_per_s, 0),
        b1,
        number(row.throughput, 0),
        number(row.peak_mb, 0),
        number(row.first_step_s),
        number(row.energy_mj_per_sample),
    )


def md_cite(ids: tuple[str, ...] | list[str]) -> str:
    """Markdown links to the knowledge entries' anchors in the References section."""
    return " ".join(f"[`{i}`](#kb-{i})" for i in ids)


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: a pipe or a newline would end the cell."""
    return text.replace("|", "\\|").replace("\n", " ")


# Characters that start Markdown (CommonMark + GitHub) inline syntax or raw HTML; each may be escaped
# with a backslash. '&' too, or "&lt;" written by the user would be shown as "<".
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|#~&])")
# What makes a line a list item, a setext heading underline or a numbered item when it starts one.
_MD_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}(?=[.)]))")
_NEWLINES = re.compile(r"\r\n|[\r\n\u2028\u2029]")


def md_text(text: str) -> str:
    """User text (a project name, a description) as Markdown that shows it as written, on one line.

    A spec's name goes into headings and sentences: ``<script>``, ``*``, backticks, ``[x](url)`` or a
    newline followed by ``# Heading`` must read as text, not as markup, HTML or a new block. Newlines
    become spaces (inside a paragraph Markdown shows them as spaces anyway).
    """
    line = _NEWLINES.sub(" ", text).strip()
    line = _MD_INLINE.sub(r"\\\1", line)
    start = _MD_LINE_START.match(line)
    if start is None:
        return line
    cut = 0 if start.group() in "-+=" else start.end()  # "- x" -> "\- x", "1. x" -> "1\. x"
    return f"{line[:cut]}\\{line[cut:]}"


def md_code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds (a file name like ``a`b.yaml``).

    The fence is one backtick longer than the longest run inside; a space pads text that starts or ends
    with a backtick, as CommonMark strips one space from each side of such a span.
    """
    line = _NEWLINES.sub(" ", text)
    fence = "`" * (max((len(run) for run in re.findall("`+", line)), default=0) + 1)
    ends = (line[:1], line[-1:])
    pad = " " if "`" in ends or (ends == (" ", " ") and line.strip(" ")) else ""
    return f"{fence}{pad}{line}{pad}{fence}"


def md_reference_lines(cited: tuple[CitedEntry, ...], heading: str = "## References") -> list[str]:
    """The dated references, each with the anchor that :func:`md_cite` links to."""
    out = [heading, ""]
    for e in cited:
        status = "" if e.status == "current" else f" ({e.status})"
        sources = "; ".join(
            f"{r.source}{' ' + md_text(r.title) if r.title else ''} (as of {r.as_of.isoformat()})" for r in e.references
        )
        out.append(f'- <a id="kb-{e.id}"></a>`{e.id}`{status}: {e.summary} {sources}')
    return [*out, ""]


MODEL_TITLE = "Your model"
MODEL_DEPLOY_INTRO = (
    "Your model converted for real, loaded back and compared with itself on its example inputs (server and "
    "ONNX routes also at the declared dynamic axes doubled); these checks decide the deployment criteria "
    "they bear on, ahead of the synthetic ones."
)


def model_intro(model: ModelSummary) -> str:
    """One sentence: what the own model is and where it ran."""
    params = f"{model.params:,} parameters" if model.params is not None else "parameters not counted"
    names = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "jax": "JAX", "onnxruntime": "onnxruntime"}
    where = [names.get(r, r) for r in model.runtimes]
    each = f"{', '.join(where[:-1])} and {where[-1]}, one child each" if len(where) > 1 else "".join(where)
    return f"{model.described} {model.ref}: {params}; measured in {each}."


def comparison_line(c: ProbeComparison) -> str:
    return f"{c.workload} ({c.mode}): {c.verdict} [ratio {c.ratio:.3f}, 95 % interval {c.low:.3f}-{c.high:.3f}]"


DEPLOY_COLUMNS = (
    "Framework",
    "Target",
    "Evidence for",
    "Workload",
    "Route",
    "Status",
    "Parity (max abs / rel)",
    "Size KB",
    "Convert s",
    "Converter message or reason",
)


def deploy_cells(row: DeployRow) -> tuple[str, ...]:
    """One deployment check as display strings, shared by the terminal and Markdown renderers."""
    parity = "-" if row.max_abs_error is None else f"{row.max_abs_error:.2g} / {number(row.max_rel_error, 3)}"
    return (
        row.framework,
        row.target,
        row.criterion,
        row.workload,
        row.route,
        row.status,
        parity,
        number(row.size_kb, 1),
        number(row.convert_s),
        row.message or "-",
    )


STACK_TITLE = "Recommended stack"
CLASSIC_TITLE = "Classic advice vs now"
ROLE_LABELS = {
    "high_level_api": "High-level API",
    "deployment_route": "Route",
    "serving": "Serving",
    "domain_library": "Domain library",
}


def stack_rows(report: Recommendation, stack: RecommendedStack) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(role, choice, detail, cites) per stack choice, shared by every human-readable format."""
    rows = []
    for choice in stack.choices:
        role = ROLE_LABELS[choice.role.value]
        if choice.target_kind:
            role = f"{role} to {choice.target_kind}"
        name = choice.name
        if choice.alternatives:
            name += " (or " + ", ".join(a.name for a in choice.alternatives[:2]) + ")"
        detail = choice.summary
        measured = measured_check(report, stack.framework, choice.target_kind)
        if measured:
            detail += f" Measured here: {measured}."
        rows.append((role, name, detail, choice.cites))
    return rows


def measured_check(report: Recommendation, framework: str, kind: str | None) -> str | None:
    """The probe's deployment checks for this framework and target kind, in a few words (None: not run)."""
    probe = report.evidence.probe
    if probe is None or kind is None:
        return None
    from advisor.scoring.evidence import DEPLOY_OF_TARGET  # only with probe evidence: start-up stays light

    if kind not in DEPLOY_OF_TARGET:
        return None
    target = DEPLOY_OF_TARGET[kind]
    own = [r for r in (probe.model.deploy if probe.model else ()) if r.framework == framework and r.target == target]
    checks = [r for r in probe.deploy if r.framework == framework and r.target == target]
    ran = [r for r in own if r.status != "not_checked"] or own  # what ran says more than what could not
    said = [f"{r.route} on your model: {r.status}" for r in ran[:3]]  # the own model's checks come first
    said += [f"{r.route} on {r.workload}: {r.status}" for r in checks[: max(0, 3 - len(said))]]
    return "; ".join(said) or None


def stack_heading(report: Recommendation, stack: RecommendedStack) -> str:
    role = "the pick" if stack.framework == report.winner else "the runner-up"
    return f"{report.framework_name(stack.framework)} ({role})"


def classic_line(report: Recommendation, comparison: ClassicComparison) -> str:
    """One persona of the classic guide, what it said, whether the pick follows it, and what is true now."""
    says = report.framework_name(comparison.guide_says)
    verdict = "The pick follows it." if comparison.agrees else "The pick goes against it."
    return (
        f"{comparison.persona}: the classic guide says {says} ({comparison.guide_text}) {verdict} Now: {comparison.now}"
    )


def md_classic_items(report: Recommendation, *, sources: bool) -> list[str]:
    """The classic-advice comparison as Markdown bullets (the Markdown report adds the seed files)."""
    items = []
    for c in report.classic_advice:
        line = f"- {classic_line(report, c)}"
        if c.overturned_by:
            line += f" What changed: {md_cite(c.overturned_by)}."
        items.append(line + (f" ({', '.join(c.sources)})" if sources else ""))
    return items


SCALE_TITLE = "Scaling probe"
SCALE_COLUMNS = (
    "Framework",
    "Workload",
    "Strategy",
    "Status",
    "Step ms at 1",
    "Step ms at N (IQR)",
    "Efficiency",
    "Exposed comm ms",
    "First step s at N",
    "Peak MB 1 / N",
    "Numerics vs 1 process",
)
BANDWIDTH_COLUMNS = ("Framework", "Workers", "Message MB", "All-reduce ms", "Bus GB/s")


def scale_intro(scale: ScaleSummary) -> str:
    """What ran: workers, nodes, device and threads, and what weak scaling means here."""
    where = f"{scale.nodes} nodes" if scale.nodes > 1 else "one host"
    return (
        f"Each framework at 1 and {scale.workers} workers on {where} ({scale.device}, "
        f"{scale.threads_per_worker} CPU thread{'s' if scale.threads_per_worker != 1 else ''} per worker), on its "
        "own launcher and collectives. Weak scaling: "
        "every worker keeps the workload's batch, so efficiency is the step time at 1 worker over the step time "
        "at N (1.00 is linear); exposed communication is the difference. Each distributed run's losses are "
        "checked against a single process on the same global batch."
    )


def scale_cells(row: ScaleRowOut) -> tuple[str, ...]:
    """One scaling row as display strings, shared by the terminal and Markdown renderers."""
    status = row.status if row.status == "ok" else f"{row.status}: {row.message}"
    scaled = "-" if row.scaled_ms is None else f"{row.scaled_ms:.2f} ({number(row.scaled_iqr_ms)})"
    memory = f"{number(row.memory_single_mb, 0)} / {number(row.memory_scaled_mb, 0)}"
    strategy = f"{row.strategy}: {row.implementation}" if row.implementation else row.strategy
    return (
        row.framework,
        f"{row.workload} (batch {row.per_worker_batch}/worker)",
        strategy,
        status,
        number(row.single_ms),
        scaled,
        number(row.efficiency),
        number(row.exposed_comm_ms),
        number(row.first_step_s),
        memory,
        row.numerics,
    )


def bandwidth_cells(scale: ScaleSummary) -> list[tuple[str, ...]]:
    return [
        (b.framework, str(b.workers), f"{b.size_mb:g}", f"{b.time_ms:.3f}", f"{b.busbw_gbps:.3f}")
        for b in scale.bandwidth
    ]


def scale_comparison_line(c: ProbeComparison) -> str:
    where = f"{c.workload}, {c.mode}" if c.metric == "scale_efficiency" else f"all-reduce of {c.workload}"
    return f"{where}: {c.verdict} [ratio {c.ratio:.3f}, 95 % interval {c.low:.3f}-{c.high:.3f}]"
