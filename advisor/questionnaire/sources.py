"""Answers known before asking: ``--set ID=VALUE`` pairs and a partial spec (``--from partial.yaml``).

A partial spec has the shape of a spec but may leave anything out; it is flattened to question ids so
that each value is checked by its own question (with file and line in the error), not as a whole spec.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError, SpecError
from advisor.questionnaire.questions import Kind, Questionnaire
from advisor.questionnaire.session import Given
from advisor.yaml_io import YamlDocument, read_yaml


def given_from_pairs(pairs: Iterable[str]) -> dict[str, Given]:
    """``["task.domain=vision", ...]`` -> answers; the value is text, as if typed."""
    given: dict[str, Given] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise AdvisorError(f"'{pair}' is not ID=VALUE", field="--set", hint="e.g. --set task.domain=vision")
        given[key.strip()] = Given(value)
    return given


def given_from_file(path: Path | str, questionnaire: Questionnaire) -> dict[str, Given]:
    """The answers a partial spec gives, by question id (unknown keys are reported later, with the rest)."""
    doc = read_yaml(path, SpecError)
    if doc.data is None:
        return {}
    given: dict[str, Given] = {}
    _flatten(doc, doc.data, (), questionnaire, given)
    return given


def _flatten(doc: YamlDocument, node: Any, loc: tuple[str, ...], qn: Questionnaire, out: dict[str, Given]) -> None:
    if not isinstance(node, dict):
        where = ".".join(loc) or None
        raise SpecError("expected a mapping of keys to values", path=doc.path, line=doc.line_of(loc), field=where)
    questions = {q.id: q for q in qn.questions}
    for key, value in node.items():
        here = (*loc, str(key))
        fid = ".".join(here)
        question = questions.get(fid)
        if question is not None and question.kind is Kind.items and isinstance(value, list):
            _flatten_items(doc, value, here, question.children[0].name, out)
        elif question is None and any(q.startswith(f"{fid}.") for q in questions):
            _flatten(doc, value, here, qn, out)
        else:
            out[fid] = Given(value, doc.path, doc.line_of(here), typed=True)


def _flatten_items(doc: YamlDocument, items: list[Any], loc: tuple[str, ...], key_name: str, out: dict) -> None:
    """``targets: [{kind: android, ...}]`` -> ``deployment.targets: [android]`` and one answer per field."""
    fid = ".".join(loc)
    keys: list[Any] = []
    for index, item in enumerate(items):
        line = doc.line_of((*loc, index))
        if not isinstance(item, dict) or key_name not in item:
            raise SpecError(f"each item needs a '{key_name}'", path=doc.path, line=line, field=f"{fid}[{index}]")
        key = item[key_name]
        if key in keys:
            raise SpecError(
                f"two items with {key_name} '{key}': init keeps one per {key_name}", path=doc.path, line=line
            )
        keys.append(key)
        for name, value in item.items():
            if name != key_name:
                out[f"{fid}.{key}.{name}"] = Given(value, doc.path, doc.line_of((*loc, index, name)), typed=True)
    out[fid] = Given(keys, doc.path, doc.line_of(loc), typed=True)
