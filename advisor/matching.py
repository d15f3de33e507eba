"""Conditions as data: structured matchers over spec fields, shared by rules and knowledge entries.

A matcher is one of::

    {field: deployment.targets[].kind, in: [android, ios]}   # [] fans out over a list: any element
    {field: deployment.targets[], where: {...matcher...}}      # some element satisfies the sub-matcher
    {all: [...]}  {any: [...]}  {not: {...}}

Nothing is evaluated as code. Field paths and enum values are checked against a schema when the data
loads (:func:`check_matcher`), so a typo is a load error rather than a condition that never holds.
``{fw}`` in paths and values stands for a framework id in per-framework rules.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator

from advisor._model import StrictModel
from advisor.spec import paths

FW = "{fw}"

Scalar = str | int | float | bool

OPERATORS = ("equals", "in_", "contains", "gte", "lte", "gt", "lt", "exists", "where")


class FieldMatcher(StrictModel):
    """Compares the value(s) at ``field`` with exactly one operator."""

    field: Annotated[str, Field(min_length=1)]
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(None, alias="in")
    contains: Scalar | None = None
    gte: float | None = None
    lte: float | None = None
    gt: float | None = None
    lt: float | None = None
    exists: bool | None = None
    where: Matcher | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> FieldMatcher:
        used = [name for name in OPERATORS if getattr(self, name) is not None]
        if len(used) != 1:
            names = ", ".join(n.rstrip("_") for n in OPERATORS)
            raise ValueError(f"a field matcher needs exactly one operator of: {names}")
        return self

    @property
    def operator(self) -> str:
        return next(name for name in OPERATORS if getattr(self, name) is not None)


class AllMatcher(StrictModel):
    all: Annotated[list[Matcher], Field(min_length=1)]


class AnyMatcher(StrictModel):
    any: Annotated[list[Matcher], Field(min_length=1)]


class NotMatcher(StrictModel):
    not_: Matcher = Field(alias="not")


def _matcher_kind(value: Any) -> str | None:
    """Picks the matcher type from the keys present, so errors speak of one type, not four."""
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return f"<{key}>"
        return "<field>"
    kinds: dict[type, str] = {
        AllMatcher: "<all>",
        AnyMatcher: "<any>",
        NotMatcher: "<not>",
        FieldMatcher: "<field>",
    }
    return kinds.get(type(value))


Matcher = Annotated[
    Annotated[AllMatcher, Tag("<all>")]
    | Annotated[AnyMatcher, Tag("<any>")]
    | Annotated[NotMatcher, Tag("<not>")]
    | Annotated[FieldMatcher, Tag("<field>")],
    Discriminator(_matcher_kind),
]


# No model_rebuild() here: StrictModel defers building, and the first validation resolves ``Matcher``.


def substitute(value: Any, framework: str | None) -> Any:
    """Replace ``{fw}`` in strings (and lists of strings) by the framework id."""
    if framework is None:
        return value
    if isinstance(value, str):
        return value.replace(FW, framework)
    if isinstance(value, list):
        return [substitute(v, framework) for v in value]
    return value


def matches(matcher: Matcher, data: Any, framework: str | None = None) -> bool:
    """Whether ``data`` (plain spec data, or a list element under ``where``) satisfies ``matcher``."""
    if isinstance(matcher, AllMatcher):
        return all(matches(m, data, framework) for m in matcher.all)
    if isinstance(matcher, AnyMatcher):
        return any(matches(m, data, framework) for m in matcher.any)
    if isinstance(matcher, NotMatcher):
        return not matches(matcher.not_, data, framework)
    return _field_matches(matcher, data, framework)


def _field_matches(matcher: FieldMatcher, data: Any, framework: str | None) -> bool:
    values = [v for v in paths.resolve(data, substitute(matcher.field, framework)) if v is not None]
    op = matcher.operator
    if op == "exists":
        return bool(values) == matcher.exists
    if op == "where":
        assert matcher.where is not None
        return any(matches(matcher.where, v, framework) for v in values)
    expected = substitute(getattr(matcher, op), framework)
    if op == "equals":
        return any(v == expected for v in values)
    if op == "in_":
        return any(v in expected for v in values)
    if op == "contains":
        return any(isinstance(v, list) and expected in v for v in values)
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    compare = {
        "gte": lambda v: v >= expected,
        "lte": lambda v: v <= expected,
        "gt": lambda v: v > expected,
        "lt": lambda v: v < expected,
    }[op]
    return any(compare(v) for v in numbers)


def check_matcher(matcher: Matcher, model: object, framework: str | None) -> None:
    if isinstance(matcher, AllMatcher | AnyMatcher):
        for sub in matcher.all if isinstance(matcher, AllMatcher) else matcher.any:
            check_matcher(sub, model, framework)
        return
    if isinstance(matcher, NotMatcher):
        check_matcher(matcher.not_, model, framework)
        return
    assert isinstance(matcher, FieldMatcher)
    field = substitute(matcher.field, framework)
    annotation = paths.leaf_annotation(model, field)  # type: ignore[arg-type]
    if matcher.where is not None:
        check_matcher(matcher.where, annotation, framework)
        return
    allowed = paths.enum_values(annotation)
    value = substitute(getattr(matcher, matcher.operator), framework)
    given = value if isinstance(value, list) else [value]
    if allowed is not None and matcher.operator in ("equals", "in_", "contains"):
        wrong = [v for v in given if v not in allowed]
        if wrong:
            raise ValueError(f"'{field}': {wrong[0]!r} is not one of {', '.join(sorted(allowed))}")


def describe(matcher: Matcher) -> str:
    """A matcher in one line of plain text, for generated docs and reports."""
    if isinstance(matcher, AllMatcher):
        return "(" + " and ".join(describe(m) for m in matcher.all) + ")"
    if isinstance(matcher, AnyMatcher):
        return "(" + " or ".join(describe(m) for m in matcher.any) + ")"
    if isinstance(matcher, NotMatcher):
        return f"not {describe(matcher.not_)}"
    op = matcher.operator
    if op == "where":
        assert matcher.where is not None
        return f"some {matcher.field} has {describe(matcher.where)}"
    value = getattr(matcher, op)
    if op == "exists":
        return f"{matcher.field} {'is given' if value else 'is not given'}"
    words = {"equals": "=", "in_": "in", "contains": "contains", "gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}
    shown = "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else str(value)
    return f"{matcher.field} {words[op]} {shown}"
