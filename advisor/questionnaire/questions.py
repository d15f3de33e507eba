"""Derives the questionnaire from the spec model, so a new spec field is asked without new prompt code.

Each leaf field of :class:`~advisor.spec.model.ProjectSpec` (walked recursively) becomes one
:class:`Question`: enums and literals give choices, lists of them multi-choices, ``bool`` a yes/no, numbers
keep the bounds of their ``Field`` constraints, the description is the help and the field default the
default. A number that may also be a word (``int | Literal["unknown"]``) is a number question that takes
those words too. A list of models (deployment targets, serving stack) becomes a multi-choice over the item's
key field (its first required enum) plus per-item questions, asked once for every chosen key.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

from advisor.knowledge.load import KnowledgeBase

# Spec fields whose values are names from the knowledge base (the ones spec/load.py checks), and where.
KB_NAMES: Mapping[str, tuple[str, ...]] = {
    "priorities": ("criteria", "groups"),
    "constraints.exclude_frameworks": ("frameworks",),
    "constraints.required_capabilities": ("capabilities",),
    "constraints.min_ratings": ("criteria",),
}

ITEM = "*"  # stands for one list item in a template id: deployment.targets.*.kind

# Written with the model's default (the current format), never asked: a format marker, not a fact about
# the project. An answer given for it (--set, --from) is still taken.
PINNED: frozenset[str] = frozenset({"version"})

# A choice (or number word) the spec reads as "not known", and what the help says about it.
UNKNOWN = "unknown"
UNKNOWN_HELP = "Unknown widens the uncertainty instead of being read as none."


class NoDefault:
    """Marks a question the user must answer (the field is required)."""

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = NoDefault()


class Kind(str, Enum):
    text = "text"
    number = "number"
    yes_no = "yes_no"
    choice = "choice"
    multi = "multi"  # list of choices (or of free words when no choices are known)
    mapping = "mapping"  # name=value pairs
    items = "items"  # list of models, keyed by the item's key field


@dataclass(frozen=True)
class Question:
    """One question; ``id`` is the dotted path of the field (``*`` for a list item in templates)."""

    id: str
    kind: Kind
    help: str
    adapter: TypeAdapter[Any] = field(compare=False, repr=False)
    default: Any = NO_DEFAULT  # JSON-mode value (enum values as strings)
    choices: tuple[str, ...] = ()  # what the user types
    values: tuple[Any, ...] = ()  # what each choice stands for (e.g. Literal[2, 3] -> ints)
    bounds: str = ""  # "1..10000", "> 0"
    children: tuple[Question, ...] = ()  # items: the per-item questions, the key first
    number_adapter: TypeAdapter[Any] | None = field(default=None, compare=False, repr=False)  # number or word
    pinned: bool = False  # see PINNED

    @property
    def name(self) -> str:
        return self.id.rsplit(".", 1)[-1]

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT

    @property
    def fixed(self) -> bool:
        """A single possible value, or a pinned one (``version``): written, never asked."""
        if self.required:
            return False
        return self.pinned or (self.kind is Kind.choice and len(self.choices) == 1)

    @property
    def words(self) -> bool:
        """A number question that also takes words (``unknown``): its choices are those words."""
        return self.kind is Kind.number and bool(self.choices)


@dataclass(frozen=True)
class Questionnaire:
    """The questions in model order, plus comments for the sections (model docstrings)."""

    questions: tuple[Question, ...]
    sections: Mapping[str, str]  # section id -> its docstring


def kb_names(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """The known names for each field of :data:`KB_NAMES`, from the knowledge base."""
    return {fid: tuple(n for source in sources for n in getattr(kb, source)) for fid, sources in KB_NAMES.items()}


def build_questionnaire(model: type[BaseModel], names: Mapping[str, Sequence[str]] | None = None) -> Questionnaire:
    """Walk ``model`` recursively; ``names`` gives the choices of name-valued fields (see :func:`kb_names`)."""
    sections: dict[str, str] = {}
    questions = tuple(_walk(model, "", names or {}, sections))
    return Questionnaire(questions=questions, sections=sections)


def _walk(
    model: type[BaseModel], prefix: str, names: Mapping[str, Sequence[str]], sections: dict[str, str]
) -> list[Question]:
    found: list[Question] = []
    for fname, info in model.model_fields.items():
        fid = f"{prefix}{fname}"
        base, _ = _unwrap(info.annotation)
        if isinstance(base, type) and issubclass(base, BaseModel):
            sections[fid] = info.description or _doc(base)
            found += _walk(base, f"{fid}.", names, sections)
        else:
            found.append(_question(fid, info, names, sections))
    return found


def _question(fid: str, info: FieldInfo, names: Mapping[str, Sequence[str]], sections: dict[str, str]) -> Question:
    """The question for one leaf field; where ``unknown`` may be answered, the help says what it means."""
    question = _shaped(fid, info, names, sections)
    if fid in PINNED:
        question = replace(question, pinned=True)
    if UNKNOWN in question.choices and UNKNOWN_HELP not in question.help:
        question = replace(question, help=f"{question.help} {UNKNOWN_HELP}".strip())
    return question


def _shaped(fid: str, info: FieldInfo, names: Mapping[str, Sequence[str]], sections: dict[str, str]) -> Question:
    """The question for one leaf field, by the shape of its type."""
    annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    default = NO_DEFAULT
    if not info.is_required():
        default = adapter.dump_python(info.get_default(call_default_factory=True), mode="json")
    base, _ = _unwrap(info.annotation)
    origin, args = get_origin(base), get_args(base)
    bounds = _bounds(args[1] if origin is dict else info.annotation, () if origin is dict else info.metadata)
    common: dict[str, Any] = {"id": fid, "help": info.description or "", "adapter": adapter, "default": default}
    common.update(bounds=bounds)
    named = tuple(names.get(fid, ()))
    if origin is list:
        item, _ = _unwrap(args[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            sections[f"{fid}.{ITEM}"] = _doc(item)
            return _items(common, item, names, sections)
        choices, values = _choices(item) or (named, named)
        return Question(kind=Kind.multi, choices=choices, values=values, **common)
    if origin is dict:
        return Question(kind=Kind.mapping, choices=named, values=named, **common)
    enumerated = _choices(base)
    if enumerated:
        choices, values = enumerated
        return Question(kind=Kind.choice, choices=choices, values=values, **common)
    number_or_words = _number_or_words(base)
    if number_or_words is not None:
        number, words = number_or_words
        adapter_for_number: TypeAdapter[Any] = TypeAdapter(number)
        return Question(kind=Kind.number, choices=words, values=words, number_adapter=adapter_for_number, **common)
    if base is bool:
        return Question(kind=Kind.yes_no, **common)
    if base in (int, float):
        return Question(kind=Kind.number, **common)
    if base is str:
        return Question(kind=Kind.text, **common)
    raise TypeError(f"spec field {fid}: no question kind for {base!r}; extend advisor/questionnaire/questions.py")


def _items(
    common: dict[str, Any], item: type[BaseModel], names: Mapping[str, Sequence[str]], sections: dict[str, str]
) -> Question:
    """A list of models: choose the keys (one item per key), then answer the other fields per item."""
    children = [_question(f"{common['id']}.{ITEM}.{n}", i, names, sections) for n, i in item.model_fields.items()]
    key = next((c for c in children if c.required and c.kind is Kind.choice), None)
    if key is None:
        raise TypeError(f"spec field {common['id']}: list items need a required enum field to key them by")
    ordered = (key, *(c for c in children if c is not key))
    return Question(kind=Kind.items, choices=key.choices, values=key.values, children=ordered, **common)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` -> (X, True); ``Annotated[X, ...]`` -> X."""
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        annotation = args[0] if len(args) == 1 else annotation
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation, optional


def _number_or_words(annotation: Any) -> tuple[Any, tuple[str, ...]] | None:
    """``Annotated[int, ...] | Literal["unknown"]`` -> (the number type, ("unknown",)); None for other types."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return None
    args = [a for a in get_args(annotation) if a is not type(None)]
    literals = [a for a in args if get_origin(a) is Literal]
    numbers = [a for a in args if a not in literals]
    words = tuple(w for lit in literals for w in get_args(lit))
    if len(numbers) != 1 or not words or not all(isinstance(w, str) for w in words):
        return None
    number, _ = _unwrap(numbers[0])
    return (numbers[0], words) if number in (int, float) else None


def _choices(annotation: Any) -> tuple[tuple[str, ...], tuple[Any, ...]] | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = tuple(member.value for member in annotation)
        return tuple(str(v) for v in values), values
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        return tuple(str(v) for v in values), values
    return None


def _bounds(annotation: Any, metadata: Sequence[Any]) -> str:
    """Readable numeric bounds from ``Field`` constraints (on the field or inside ``Annotated``)."""
    found = list(metadata)
    if get_origin(annotation) in (Union, types.UnionType):  # the number in `X | None`, `X | Literal[...]`
        others = [a for a in get_args(annotation) if a is not type(None) and get_origin(a) is not Literal]
        annotation = next(iter(others), annotation)
    if get_origin(annotation) is Annotated:
        for extra in get_args(annotation)[1:]:
            found += extra.metadata if isinstance(extra, FieldInfo) else [extra]
    low = next((f">= {m.ge}" for m in found if isinstance(m, at.Ge)), None) or next(
        (f"> {m.gt}" for m in found if isinstance(m, at.Gt)), None
    )
    high = next((f"<= {m.le}" for m in found if isinstance(m, at.Le)), None) or next(
        (f"< {m.lt}" for m in found if isinstance(m, at.Lt)), None
    )
    if low and high and low.startswith(">=") and high.startswith("<="):
        return f"{low[3:]}..{high[3:]}"
    return ", ".join(b for b in (low, high) if b)


def _doc(model: type[BaseModel]) -> str:
    """The model's own docstring (not an inherited one), first paragraph."""
    doc = model.__dict__.get("__doc__") or ""
    return " ".join(doc.strip().split("\n\n")[0].split())
