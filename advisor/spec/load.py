"""Reads a project spec: YAML (safe) -> ProjectSpec, then checks names against the knowledge base's.

The spec sits below the knowledge base: it asks only for the names it checks (:class:`Names`, which a
``KnowledgeBase`` provides), so reading a spec does not depend on how knowledge is loaded.

Every problem is told in one :class:`SpecError`: each names the file, line and field, with a "did you
mean" where a name is close to a known one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from advisor._loading import expected_mapping, validate_document
from advisor._validation import combined, dotted
from advisor.errors import SpecError
from advisor.spec.model import ProjectSpec
from advisor.suggest import did_you_mean
from advisor.yaml_io import YamlDocument, parse_yaml, read_yaml


class Names(Protocol):
    """The names a spec may use: criteria and groups (priorities), frameworks and capabilities."""

    @property
    def criteria(self) -> Collection[str]: ...
    @property
    def groups(self) -> Collection[str]: ...
    @property
    def frameworks(self) -> Collection[str]: ...
    @property
    def capabilities(self) -> Collection[str]: ...


def load_spec(path: Path | str, kb: Names) -> ProjectSpec:
    """Read, validate and cross-check the spec at ``path`` (``-`` is not accepted: specs are files)."""
    return _checked(read_yaml(path, SpecError), kb)


def parse_spec(text: str, kb: Names, path: str = "<spec>") -> ProjectSpec:
    """Like :func:`load_spec` for YAML text (used by ``init`` and the tests)."""
    return _checked(parse_yaml(text, path, SpecError), kb)


def _checked(doc: YamlDocument, kb: Names) -> ProjectSpec:
    if doc.data is not None and not isinstance(doc.data, dict):
        raise SpecError(
            f"the spec must be a mapping of keys to values, not {_kind_of(doc.data)}",
            path=doc.path,
            line=doc.line_of(()),
            hint=expected_mapping(ProjectSpec, "a project spec"),
        )
    spec = validate_document(doc, ProjectSpec, SpecError, what="a project spec")
    constraints = spec.constraints
    found = [
        *_unknown_names(doc, ("priorities",), spec.priorities, [*kb.criteria, *kb.groups], _PRIORITY, key=True),
        *_unknown_names(
            doc, ("constraints", "min_ratings"), constraints.min_ratings, kb.criteria, _CRITERION, key=True
        ),
        *_unknown_names(
            doc, ("constraints", "exclude_frameworks"), constraints.exclude_frameworks, kb.frameworks, _FRAMEWORK
        ),
        *_unknown_names(
            doc,
            ("constraints", "required_capabilities"),
            constraints.required_capabilities,
            kb.capabilities,
            _CAPABILITY,
        ),
    ]
    if found:
        raise combined(found)
    return spec


@dataclass(frozen=True)
class _Kind:
    """What a list of known names holds, in the singular (one unknown name) and the plural (the list)."""

    one: str
    many: str


_PRIORITY = _Kind("criterion or group", "criteria and groups")
_CRITERION = _Kind("criterion", "criteria")
_FRAMEWORK = _Kind("framework", "frameworks")
_CAPABILITY = _Kind("capability", "capabilities")


def _unknown_names(
    doc: YamlDocument,
    loc: tuple[str, ...],
    given: Iterable[str],
    known: Iterable[str],
    kind: _Kind,
    *,
    key: bool = False,
) -> list[SpecError]:
    """A located error for each name in ``given`` that the knowledge base does not know."""
    known = sorted(known)
    found = []
    for index, name in enumerate(given):
        if name in known:
            continue
        where: tuple[str | int, ...] = (*loc, name) if key else (*loc, index)
        found.append(
            SpecError(
                f"unknown {kind.one} '{name}'" + did_you_mean(name, known),
                path=doc.path,
                line=doc.line_of(where, key=key),
                field=dotted(where),
                hint=f"known {kind.many}: {', '.join(known)}",
            )
        )
    return found


def _kind_of(value: object) -> str:
    """``a list``, ``text``, ``a number``: what a YAML reader would call the value, not Python's type name."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"
