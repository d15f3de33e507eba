"""Reads a project spec: YAML (safe) -> ProjectSpec, then checks names against the knowledge base.

Every problem is a :class:`SpecError` naming the file, line and field, with a "did you mean" where a
name is close to a known one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from advisor._loading import validate_document
from advisor.errors import SpecError
from advisor.knowledge.load import KnowledgeBase
from advisor.spec.model import ProjectSpec
from advisor.yaml_io import YamlDocument, parse_yaml, read_yaml


def load_spec(path: Path | str, kb: KnowledgeBase) -> ProjectSpec:
    """Read, validate and cross-check the spec at ``path`` (``-`` is not accepted: specs are files)."""
    return _checked(read_yaml(path, SpecError), kb)


def parse_spec(text: str, kb: KnowledgeBase, path: str = "<spec>") -> ProjectSpec:
    """Like :func:`load_spec` for YAML text (used by ``init`` and the tests)."""
    return _checked(parse_yaml(text, path, SpecError), kb)


def _checked(doc: YamlDocument, kb: KnowledgeBase) -> ProjectSpec:
    if doc.data is not None and not isinstance(doc.data, dict):
        raise SpecError(
            f"the spec must be a mapping of keys to values, not a {type(doc.data).__name__}",
            path=doc.path,
            line=doc.line_of(()),
        )
    spec = validate_document(doc, ProjectSpec, SpecError)
    _check_names(doc, ("priorities",), spec.priorities, [*kb.criteria, *kb.groups], "criterion or group", key=True)
    constraints = spec.constraints
    _check_names(doc, ("constraints", "min_ratings"), constraints.min_ratings, kb.criteria, "criterion", key=True)
    _check_names(doc, ("constraints", "exclude_frameworks"), constraints.exclude_frameworks, kb.frameworks, "framework")
    _check_names(
        doc,
        ("constraints", "required_capabilities"),
        constraints.required_capabilities,
        kb.capabilities,
        "capability",
    )
    return spec


def _check_names(
    doc: YamlDocument,
    loc: tuple[str, ...],
    given: Iterable[str],
    known: Iterable[str],
    kind: str,
    *,
    key: bool = False,
) -> None:
    known = sorted(known)
    for index, name in enumerate(given):
        if name in known:
            continue
        where: tuple[str | int, ...] = (*loc, name) if key else (*loc, index)
        close = difflib.get_close_matches(name, known, n=1)
        raise SpecError(
            f"unknown {kind} '{name}'" + (f"; did you mean '{close[0]}'?" if close else ""),
            path=doc.path,
            line=doc.line_of(where, key=key),
            field=".".join(loc) + (f".{name}" if key else f"[{index}]"),
            hint=f"known {kind}s: {', '.join(known)}",
        )
