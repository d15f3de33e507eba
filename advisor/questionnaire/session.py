"""The question loop: takes given answers, skips irrelevant questions, asks the rest (or says what is missing).

Input and output are injected functions, so tests script a whole session without a terminal. A bad
answer is re-asked with its reason; Ctrl-C or end of input raises :class:`Aborted` and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from advisor.errors import AdvisorError
from advisor.questionnaire.answers import EMPTY, AnswerError, accept_value, parse_answer, show
from advisor.questionnaire.questions import ITEM, NO_DEFAULT, Kind, Question, Questionnaire
from advisor.questionnaire.relevance import skip_reason
from advisor.suggest import did_you_mean


class Aborted(Exception):
    """The user stopped the questionnaire (Ctrl-C or end of input); nothing was written."""


@dataclass(frozen=True)
class Given:
    """An answer known before asking: ``text`` from ``--set``, or a typed value from a partial YAML file."""

    value: Any
    source: str | None = None  # the file it came from; None for --set
    line: int | None = None
    typed: bool = False


@dataclass(frozen=True)
class Step:
    """One concrete question: item questions get the item's key in their id."""

    question: Question
    template: str  # the id with '*' for the item (what rules and comments use)
    item_key: str | None = None
    preset: Any = NO_DEFAULT  # an item's key field: fixed by the choice of keys


def plan(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Iterator[Step]:
    """The questions in order; per-item questions follow the item keys chosen so far (read lazily)."""
    for question in questionnaire.questions:
        yield Step(question, question.id)
        if question.kind is not Kind.items:
            continue
        for key in answers.get(question.id) or []:
            for index, child in enumerate(question.children):
                concrete = replace(child, id=child.id.replace(f".{ITEM}.", f".{key}.", 1))
                yield Step(concrete, child.id, str(key), key if index == 0 else NO_DEFAULT)


class Prompter:
    """Asks one question on a terminal (or scripted I/O) until the answer is valid."""

    def __init__(self, ask: Callable[[str], str], say: Callable[[str], None], sections: Mapping[str, str]) -> None:
        self._ask, self._say, self._sections = ask, say, sections
        self._section: str | None = None

    def __call__(self, step: Step) -> Any:
        question = step.question
        self._announce(step.template)
        self._say(f"  {question.help}" if question.help else "")
        while True:
            try:
                text = self._ask(prompt(question))
            except (EOFError, KeyboardInterrupt):
                raise Aborted from None
            except UnicodeDecodeError:
                self._say("  invalid: the answer is not valid UTF-8 text")
                continue
            if text.strip() == "?":
                self._say(full_help(question))
                continue
            try:
                return parse_answer(question, text)
            except AnswerError as error:
                self._say(f"  invalid: {error} (? for help)")

    def _announce(self, template: str) -> None:
        """Print a section's title the first time one of its questions comes up."""
        section = template.split(".", 1)[0] if "." in template else None
        if section is not None and section != self._section:
            doc = self._sections.get(section, "")
            self._say(f"\n== {section}" + (f": {doc}" if doc else ""))
        self._section = section


def prompt(question: Question) -> str:
    """``task.domain [vision/nlp/...] (default: vision): ``: short, the help line is printed above it."""
    hints = {
        Kind.choice: "/".join(question.choices),
        Kind.yes_no: "y/n",
        Kind.multi: "/".join(question.choices) + ", comma-separated" if question.choices else "comma-separated",
        Kind.items: "/".join(question.choices) + ", comma-separated",
        Kind.mapping: "name=value, comma-separated; ? lists the names",
    }
    hint = hints.get(question.kind) or question.bounds
    if question.words:
        hint = " or ".join(filter(None, (question.bounds or "a number", "/".join(question.choices))))
    text = question.id + (f" [{hint}]" if hint else "")
    if not question.required:
        skip = question.default is None or question.default == ""
        text += " (Enter: skip)" if skip else f" (default: {show(question, question.default)})"
    return text + ": "


def full_help(question: Question) -> str:
    """What ``?`` prints: the description, every choice, bounds and the default."""
    lines = [question.help] if question.help else []
    if question.words:
        lines.append(f"values: {question.bounds or 'a number'}, or {', '.join(question.choices)}")
    elif question.choices:
        lines.append(("names: " if question.kind is Kind.mapping else "choices: ") + ", ".join(question.choices))
    if question.bounds and not question.words:
        lines.append(f"values: {question.bounds}")
    if question.kind in (Kind.multi, Kind.items, Kind.mapping):
        lines.append(f"'{EMPTY}' for none at all")
    if not question.required:
        lines.append(f"Enter keeps the default: {show(question, question.default)}")
    return "\n".join(f"  {line}" for line in lines)  # one line each: the terminal's writer wraps them


def collect(
    questionnaire: Questionnaire,
    given: Mapping[str, Given],
    *,
    prompter: Prompter | None,
    use_defaults: bool,
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Answer every relevant question: given answers first, then defaults (``use_defaults``), then ask.

    Without a prompter (no terminal) unanswered questions are collected and reported in one error.
    ``defaults`` replaces model defaults for some ids (e.g. the project name from the file name).
    """
    answers: dict[str, Any] = {}
    missing: list[Question] = []
    for step in plan(questionnaire, answers):
        if skip_reason(step.template, answers, step.item_key) is not None:
            continue
        question = step.question
        if defaults and question.id in defaults:
            question = replace(question, default=defaults[question.id])
        if step.preset is not NO_DEFAULT:
            answers[question.id] = step.preset
        elif question.id in given:
            answers[question.id] = _given(question, given[question.id])
        elif question.fixed or (use_defaults and not question.required):
            answers[question.id] = question.default
        elif prompter is not None:
            answers[question.id] = prompter(replace(step, question=question))
        else:
            missing.append(question)
            if not question.required:
                answers[question.id] = question.default  # so later questions follow as if defaulted
    _check_unused(questionnaire, given, answers)
    if missing:
        raise _missing_error(missing, use_defaults)
    return answers


def _given(question: Question, given: Given) -> Any:
    try:
        return accept_value(question, given.value) if given.typed else parse_answer(question, str(given.value))
    except AnswerError as error:
        raise AdvisorError(
            f"invalid answer: {error}",
            path=given.source,
            line=given.line,
            field=question.id,
            hint=full_help(question).strip() if given.source is None else None,
        ) from None


def _check_unused(questionnaire: Questionnaire, given: Mapping[str, Given], answers: Mapping[str, Any]) -> None:
    """An answer nobody asked for is a typo or contradicts an earlier answer: say which."""
    for key, value in given.items():
        if key in answers:
            continue
        known = [s.question.id for s in plan(questionnaire, answers)]
        if key in known:
            step = next(s for s in plan(questionnaire, answers) if s.question.id == key)
            why = skip_reason(step.template, answers, step.item_key)
            raise AdvisorError(f"this question does not apply: {why}", path=value.source, line=value.line, field=key)
        raise AdvisorError(
            "no such question" + did_you_mean(key, known),
            path=value.source,
            line=value.line,
            field=key,
            hint="questions: " + ", ".join(q.id for q in questionnaire.questions if not q.fixed),
        )


def _missing_error(missing: list[Question], use_defaults: bool) -> AdvisorError:
    required = [q.id for q in missing if q.required]
    if use_defaults or len(required) == len(missing):
        return AdvisorError(
            f"no terminal to ask on, and no answer for: {', '.join(required)}",
            hint="give them with --set ID=VALUE or in a partial spec with --from FILE",
        )
    names = ", ".join(q.id for q in missing[:6]) + (", ..." if len(missing) > 6 else "")
    return AdvisorError(
        f"no terminal to ask on: {len(missing)} questions unanswered ({names})",
        hint="--defaults takes every default"
        + (f"; these have none: {', '.join(required)}" if required else "")
        + " (answer with --set ID=VALUE or --from FILE)",
    )
