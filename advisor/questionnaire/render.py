"""Writes the answers as a commented YAML spec: every key is preceded by its description and choices.

The text must read back through :func:`advisor.spec.load.parse_spec` unchanged, so values are dumped by
PyYAML (its quoting) and only the layout and comments are ours. Unanswered optional values are left out.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from typing import Any

import yaml

from advisor.questionnaire.questions import ITEM, Kind, Question, Questionnaire

WIDTH = 100


def document(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The nested spec the answers describe (item questions become a list of mappings)."""
    doc: dict[str, Any] = {}
    for question in questionnaire.questions:
        if answers.get(question.id) is None:
            continue
        *parents, name = question.id.split(".")
        node = doc
        for parent in parents:
            node = node.setdefault(parent, {})
        node[name] = _items(question, answers) if question.kind is Kind.items else _tidy(answers[question.id])
    return doc


def _tidy(value: Any) -> Any:
    """``40.0`` -> ``40``: whole numbers read better (and load back as the same float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    return value


def _items(question: Question, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = []
    for key in answers[question.id]:
        ids = {child.name: child.id.replace(f".{ITEM}.", f".{key}.", 1) for child in question.children}
        items.append({name: _tidy(answers[fid]) for name, fid in ids.items() if answers.get(fid) is not None})
    return items


def comments(questionnaire: Questionnaire) -> dict[str, str]:
    """Comment per template id: the description, plus the choices or known names."""
    found = {sid: doc for sid, doc in questionnaire.sections.items() if doc}
    for question in questionnaire.questions:
        for each in (question, *question.children):
            found[each.id] = _comment(each)
    return found


def _comment(question: Question) -> str:
    text = question.help
    if question.words:
        text += f" Values: {question.bounds or 'a number'}, or {', '.join(question.choices)}."
        return text.strip()
    if question.choices and len(question.choices) > 1:
        label = "Names" if question.kind is Kind.mapping else "One of" if question.kind is Kind.choice else "Any of"
        text += f" {label}: {', '.join(question.choices)}."
    if question.bounds:
        text += f" Values: {question.bounds}."
    return text.strip()


def render_spec(questionnaire: Questionnaire, answers: Mapping[str, Any], header: str = "") -> str:
    """The commented YAML text of the spec."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    _emit(document(questionnaire, answers), "", 0, comments(questionnaire), lines)
    return "\n".join(lines) + "\n"


def _emit(node: Mapping[str, Any], prefix: str, indent: int, notes: Mapping[str, str], lines: list[str]) -> None:
    pad = " " * indent
    for key, value in node.items():
        tid = f"{prefix}{key}"
        if indent == 0:
            lines.append("")  # top-level sections apart
        lines += _wrap(notes.get(tid, ""), pad)
        if isinstance(value, dict) and value and _is_section(tid, notes, value):
            lines.append(f"{pad}{key}:")
            _emit(value, f"{tid}.", indent + 2, notes, lines)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{pad}{key}:")
            for number, item in enumerate(value):
                _emit_item(item, f"{tid}.{ITEM}", indent + 2, notes if number == 0 else {}, lines)
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")


def _emit_item(item: Mapping[str, Any], tid: str, indent: int, notes: Mapping[str, str], lines: list[str]) -> None:
    """``- key: value`` with the other keys below it; comments (first item only) above the dash."""
    lines += _wrap(notes.get(tid, ""), " " * indent)
    start = len(lines)
    _emit(item, f"{tid}.", indent + 2, notes, lines)
    first = next(i for i in range(start, len(lines)) if not lines[i].lstrip().startswith("#"))
    for i in range(start, first):
        lines[i] = " " * indent + lines[i].lstrip()
    lines[first] = " " * indent + "- " + lines[first].lstrip()


def _is_section(tid: str, notes: Mapping[str, str], value: Mapping[str, Any]) -> bool:
    """A nested mapping is a section when its keys are fields (not a name -> value mapping like priorities)."""
    return any(f"{tid}.{k}" in notes for k in value)


def _wrap(text: str, pad: str) -> list[str]:
    if not text:
        return []
    return textwrap.wrap(text, WIDTH, initial_indent=f"{pad}# ", subsequent_indent=f"{pad}#   ")


def _scalar(value: Any) -> str:
    """One value in YAML flow style, quoted by PyYAML where needed."""
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000, sort_keys=False)
    text = dumped.removesuffix("\n").removesuffix("\n...").strip()
    return json.dumps(value) if "\n" in text else text  # JSON strings are valid YAML, on one line
