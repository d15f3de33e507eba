"""The casebook: scenarios with the outcome the documented evidence supports, run through the real engine.

Each case (``tests/casebook/<id>.yaml``) holds a project spec as a user would write it, the expected
outcome (a pick, or ``close``: either pick, but with the pick winning at most ``CLOSE_MAX`` of the
perturbed draws, never with high confidence), optionally the band its win probability must fall in, the
knowledge ids the report
must cite, the ids it must not cite (facts about hardware or targets the project does not use), the
stale claims it must never present as current, and the reasoning with its citations. The expectations
come from the evidence, not from the tool's output: a failing case points at a fact or a modelling
choice to fix, never at a weight to tune.

``python -m tools.casebook`` prints a table and ``casebook: N/M pass`` (``--markdown`` for the
README); the exit status is 0 when every case passes, 1 otherwise, 2 when a case file is malformed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from advisor._model import StrictModel
from advisor.errors import AdvisorError, DataError
from advisor.knowledge.load import KnowledgeBase
from advisor.rules.model import Rule
from advisor.scoring.result import Recommendation
from advisor.yaml_io import read_yaml

CASEBOOK_DIR = Path(__file__).resolve().parent.parent / "tests" / "casebook"
CLOSE = "close"
CLOSE_MAX = 0.80  # a close call: the pick wins at most this share of the perturbed draws
Level = Literal["high", "medium", "low"]
CaseId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
# A seed article as the knowledge base cites it (seed:<file>), e.g. seed:003_35e75c1995a3b4ed.txt.
SEED_REF = re.compile(r"seed:(\d{3}_[0-9a-f]+\.txt)")


class Expectation(StrictModel):
    """What the report must show for the case's spec."""

    pick: str = Field(description="A framework id, or 'close' (either pick, confidence level not high).")
    confidence_not: list[Level] = Field(
        default_factory=list, description="Confidence levels the pick must not be claimed with."
    )
    win_probability: tuple[Annotated[float, Field(ge=0, le=1)], Annotated[float, Field(ge=0, le=1)]] | None = Field(
        None,
        description=(
            f"[low, high]: the band the pick's share of the perturbed draws must fall in (for 'close' the "
            f"default is [0, {CLOSE_MAX}], and a stated band may not reach above {CLOSE_MAX})."
        ),
    )
    pick_not: list[str] = Field(
        default_factory=list,
        description="Frameworks that must not be the pick (with 'close': who the close call is not about).",
    )
    excluded: list[str] = Field(
        default_factory=list, description="Frameworks a hard constraint must exclude (policy, capability)."
    )
    must_cite: list[str] = Field(default_factory=list, description="Knowledge ids the report must cite.")
    must_not_cite: list[str] = Field(
        default_factory=list, description="Knowledge ids about things this project does not touch."
    )
    must_not_present_as_current: list[str] = Field(
        default_factory=list, description="Stale or contested claims: if cited, never with status current."
    )
    must_fire: list[str] = Field(default_factory=list, description="Rule ids that must fire.")
    must_not_fire: list[str] = Field(default_factory=list, description="Rule ids that must not fire.")

    @field_validator("confidence_not", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _band(self) -> Expectation:
        band = self.win_probability
        if band is not None and band[0] > band[1]:
            raise ValueError("win_probability must be [low, high] with low <= high")
        if band is not None and self.pick == CLOSE and band[1] > CLOSE_MAX:
            raise ValueError(f"a close call's win_probability band may not reach above {CLOSE_MAX}")
        return self

    def band(self) -> tuple[float, float] | None:
        """The win-probability band the pick must fall in (a close call has one even when none is stated)."""
        if self.win_probability is not None:
            return self.win_probability
        return (0.0, CLOSE_MAX) if self.pick == CLOSE else None


class Case(StrictModel):
    """One scenario: a spec, the expected outcome, and why."""

    id: CaseId
    title: Annotated[str, Field(min_length=1, max_length=120)]
    persona: Annotated[str, Field(min_length=1, max_length=120)] = Field(
        description="The seeds' persona (beginner, researcher, production, 'I already know X') or the situation."
    )
    spec: dict[str, Any] = Field(description="A full project spec, as a user would write it.")
    as_of: dt.date | None = Field(
        None,
        description=(
            "A replay: the date of a documented past decision; the case runs with the knowledge valid then "
            "(advisor recommend --as-of), and its reasoning cites the decision's source."
        ),
    )
    expect: Expectation
    reasoning: Annotated[str, Field(min_length=40)] = Field(
        description="Why this outcome is right, citing knowledge ids, seed files (seed:<file>) or URLs."
    )


class CaseError(DataError):
    """A case file is malformed (bad YAML, an unknown key, a spec the advisor rejects)."""


@dataclass(frozen=True)
class CaseResult:
    case: Case
    winner: str | None
    level: str | None
    probability: float | None
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def got(self) -> str:
        return self.winner or "none"

    @property
    def confidence(self) -> str:
        if self.level is None or self.probability is None:
            return "-"
        return f"{self.level} ({self.probability:.0%})"


def case_files(directory: Path = CASEBOOK_DIR) -> list[Path]:
    """The case files in ``directory``, sorted by name."""
    return sorted(directory.glob("*.yaml"))


def load_case(path: Path) -> Case:
    """Read and validate one case file; the file name must be ``<id>.yaml``."""
    data = read_yaml(path, CaseError).data  # the one safe reading path: limits, duplicate keys, located errors
    if not isinstance(data, dict):
        raise CaseError("a case must be a mapping (id, title, persona, spec, expect, reasoning)", path=str(path))
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CaseError(first["msg"], path=str(path), field=where or None) from exc
    if path.stem != case.id:
        raise CaseError(f"the file name must be {case.id}.yaml", path=str(path), field="id")
    return case


def load_cases(directory: Path = CASEBOOK_DIR) -> list[Case]:
    """Every case in ``directory``; ids are unique (the file names guarantee it)."""
    return [load_case(path) for path in case_files(directory)]


def evaluate_case(case: Case, kb: KnowledgeBase, rules: Sequence[Rule]) -> Recommendation:
    """The report the advisor gives for the case's spec (default seed and draws, as users see it)."""
    from advisor.scoring.evaluate import evaluate
    from advisor.spec.load import parse_spec

    where = f"{case.id}.yaml:spec"
    try:
        spec = parse_spec(yaml.safe_dump(case.spec, sort_keys=False), kb, path=where)
    except AdvisorError as exc:
        raise CaseError(f"the spec is invalid: {exc.message}", path=where, field=exc.field, hint=exc.hint) from exc
    return evaluate(spec, kb, rules, spec_file=where, as_of=case.as_of)


def check_case(case: Case, report: Recommendation, kb: KnowledgeBase, rules: Sequence[Rule]) -> CaseResult:
    """Compare ``report`` with the case's expectation; every mismatch is one problem line."""
    expect = case.expect
    problems: list[str] = []
    level = report.confidence.level if report.confidence else None
    probability = report.confidence.win_probability if report.confidence else None
    excluded = {s.framework for s in report.ranking if s.excluded}

    if expect.pick != CLOSE and expect.pick not in kb.frameworks:
        problems.append(f"expected pick '{expect.pick}' is neither 'close' nor a framework id")
    elif report.winner is None:
        problems.append("no framework meets the hard constraints")
    elif expect.pick == CLOSE:
        if level == "high":
            problems.append(f"expected a close call, got {report.winner} with high confidence")
        if excluded:
            problems.append(f"expected a close call between candidates, but {', '.join(sorted(excluded))} excluded")
    elif report.winner != expect.pick:
        problems.append(f"expected {expect.pick}, got {report.winner}")
    if level is not None and level in expect.confidence_not:
        problems.append(f"confidence must not be {level}")
    band = expect.band()
    if band is not None and probability is not None and not band[0] <= probability <= band[1]:
        what = "a close call" if expect.pick == CLOSE and expect.win_probability is None else "the expected band"
        problems.append(
            f"the pick wins {probability:.0%} of the draws, outside {what} ({band[0]:.0%} to {band[1]:.0%})"
        )
    for framework in expect.pick_not:
        if framework not in kb.frameworks:
            problems.append(f"pick_not names '{framework}', which is not a framework id")
        elif report.winner == framework:
            problems.append(f"{framework} must not be the pick")
    for framework in expect.excluded:
        if framework not in excluded:
            problems.append(f"{framework} must be excluded by a hard constraint")

    cited = {entry.id: entry.status for entry in report.references}
    listed = [*expect.must_cite, *expect.must_not_cite, *expect.must_not_present_as_current]
    unknown = sorted({i for i in listed if i not in kb.entries})
    if unknown:
        problems.append(f"unknown knowledge ids: {', '.join(unknown)}")
    missing = [i for i in expect.must_cite if i not in cited]
    if missing:
        problems.append(f"not cited: {', '.join(missing)}")
    irrelevant = [i for i in expect.must_not_cite if i in cited]
    if irrelevant:
        problems.append(f"cited although the project does not touch it: {', '.join(irrelevant)}")
    as_current = [i for i in expect.must_not_present_as_current if cited.get(i) == "current"]
    if as_current:
        problems.append(f"presented as current: {', '.join(as_current)}")

    rule_ids = {r.id for r in rules}
    unknown_rules = sorted({r for r in (*expect.must_fire, *expect.must_not_fire) if r not in rule_ids})
    if unknown_rules:
        problems.append(f"unknown rule ids: {', '.join(unknown_rules)}")
    fired = {r.id for r in report.fired_rules}
    not_fired = [r for r in expect.must_fire if r in rule_ids and r not in fired]
    if not_fired:
        problems.append(f"did not fire: {', '.join(not_fired)}")
    wrongly = [r for r in expect.must_not_fire if r in fired]
    if wrongly:
        problems.append(f"fired although it must not: {', '.join(wrongly)}")
    return CaseResult(case, report.winner, level, probability, tuple(problems))


def run_case(case: Case, kb: KnowledgeBase, rules: Sequence[Rule]) -> CaseResult:
    return check_case(case, evaluate_case(case, kb, rules), kb, rules)


def run_cases(cases: Sequence[Case], kb: KnowledgeBase, rules: Sequence[Rule]) -> list[CaseResult]:
    return [run_case(case, kb, rules) for case in cases]


def expected_text(expect: Expectation) -> str:
    text = expect.pick
    if expect.confidence_not:
        text += f" (not {'/'.join(expect.confidence_not)})"
    band = expect.band()
    if band is not None:
        text += f" ({band[0]:.0%}-{band[1]:.0%})"
    if expect.pick_not:
        text += f", not {'/'.join(expect.pick_not)}"
    return text


def _label(case: Case) -> str:
    """The case's id, with its date when it replays a past decision."""
    return case.id + (f" (as of {case.as_of.isoformat()})" if case.as_of else "")


def summary(results: Sequence[CaseResult]) -> str:
    return f"casebook: {sum(r.passed for r in results)}/{len(results)} pass"


def render_table(results: Sequence[CaseResult]) -> str:
    """A plain-text table with one row per case and the problems under each failing row."""
    header = ("case", "expected", "got", "confidence", "result")
    rows = [
        (_label(r.case), expected_text(r.case.expect), r.got, r.confidence, "pass" if r.passed else "FAIL")
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    for result, row in zip(results, rows, strict=True):
        out.append(line(row))
        out.extend(f"    - {problem}" for problem in result.problems)
    out.append(summary(results))
    return "\n".join(out)


def render_markdown(results: Sequence[CaseResult]) -> str:
    """A Markdown table (for the README) and the summary line."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    out = [
        "| Case | Persona | Expected | Got | Confidence | Result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        verdict = "pass" if r.passed else "**fail**: " + "; ".join(r.problems)
        out.append(
            "| "
            + " | ".join(
                cell(c)
                for c in (
                    f"`{r.case.id}`" + (f" (as of {r.case.as_of.isoformat()})" if r.case.as_of else ""),
                    r.case.persona,
                    expected_text(r.case.expect),
                    r.got,
                    r.confidence,
                    verdict,
                )
            )
            + " |"
        )
    out += ["", summary(results)]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.casebook", description="Run the casebook against the shipped knowledge and rules."
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    parser.add_argument("--dir", type=Path, default=CASEBOOK_DIR, help="folder of case files (default: %(default)s)")
    parser.add_argument("--case", action="append", default=[], metavar="ID", help="run only this case (repeatable)")
    parser.add_argument("--knowledge-dir", type=Path, help="knowledge base to use (default: the shipped one)")
    parser.add_argument("--rules-dir", type=Path, help="rules to use (default: the shipped ones)")
    args = parser.parse_args(argv)

    from advisor.api import load_context

    try:
        cases = load_cases(args.dir)
        if args.case:
            unknown = sorted(set(args.case) - {c.id for c in cases})
            if unknown:
                raise CaseError(f"no such case: {', '.join(unknown)}", path=str(args.dir))
            cases = [c for c in cases if c.id in args.case]
        if not cases:
            raise CaseError("no case files found", path=str(args.dir))
        kb, rules = load_context(args.knowledge_dir, args.rules_dir)
        results = run_cases(cases, kb, rules)
    except AdvisorError as exc:
        print(f"error: {exc}" + (f" (hint: {exc.hint})" if exc.hint else ""), file=sys.stderr)
        return 2
    print(render_markdown(results) if args.markdown else render_table(results))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
