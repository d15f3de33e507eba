"""Turns a pydantic ``ValidationError`` into one user-facing error that names file, line and field.

Every problem is told, not only the first: fixing a spec one error per run is slow and discouraging.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from advisor.errors import AdvisorError
from advisor.suggest import closest, did_you_mean
from advisor.yaml_io import YamlDocument

Loc = tuple[str | int, ...]


def dotted(loc: Iterable[str | int]) -> str:
    """``("deployment", "targets", 1, "kind")`` -> ``deployment.targets[1].kind``."""
    out = ""
    for part in loc:
        text = str(part) if part != "" else '""'  # an empty key must still show
        out += f"[{part}]" if isinstance(part, int) else (f".{text}" if out else text)
    return out


def user_loc(raw: Iterable[str | int], data: Any, *, missing: bool = False) -> Loc:
    """The parts of pydantic's location that step through the user's own data.

    Pydantic adds parts for unions and validators (``constrained-int``, ``literal['unknown']``,
    ``function-after[...]``); they are told apart by the data, not by their spelling, because a user's
    key may be spelt like one (``"<"``, ``"a[b]"``). The last part of a ``missing`` error is the absent
    field: it is kept although the data does not hold it.
    """
    parts = list(raw)
    loc: list[str | int] = []
    current = data
    for index, part in enumerate(parts):
        key = _key_in(current, part) if isinstance(current, dict) else _ABSENT
        if key is not _ABSENT:
            current = current[key]
            part = _key_text(key)  # a key, even `1:`, is not a list index
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif missing and index == len(parts) - 1 and isinstance(current, dict):
            pass
        else:
            continue
        loc.append(part)
    return tuple(loc)


_ABSENT = object()


def _key_in(mapping: dict[Any, Any], part: str | int) -> Any:
    """The key of ``mapping`` that ``part`` names (pydantic writes a key that is not text as text: 'None')."""
    if isinstance(part, str) and part in mapping:
        return part
    if part in mapping:  # the key itself: `true:` is found by pydantic's 1
        return next(k for k in mapping if k == part)
    return next((k for k in mapping if not isinstance(k, str) and str(k) == part), _ABSENT)


def _key_text(key: object) -> str:
    """A key as the spec would spell it: ``null``, ``true``, ``1``."""
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the sub-model that ``loc`` points into (for "did you mean")."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
    return list(current.model_fields) if current is not None else []


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _data_at(data: Any, loc: Loc) -> Any:
    """The user's data at ``loc`` (None where it holds nothing)."""
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


# A spec with a hundred wrong values is fixed a few at a time: more lines would push the first off screen.
MAX_LISTED = 10


def raise_validation_error(
    exc: ValidationError,
    doc: YamlDocument,
    model: type[BaseModel],
    error: type[AdvisorError],
    *,
    loc_prefix: Loc = (),
) -> NoReturn:
    """Raise one ``error`` for every problem in ``exc``: the first on its line, the others in its hint."""
    raise combined(problems(exc, doc, model, error, loc_prefix=loc_prefix))


def problems(
    exc: ValidationError,
    doc: YamlDocument,
    model: type[BaseModel],
    error: type[AdvisorError],
    *,
    loc_prefix: Loc = (),
) -> list[AdvisorError]:
    """One located error per problem, the one to show first at the front.

    Pydantic may report one mistake several times; each is told once: a value that fails every member
    of a union (``int | 'unknown'``) is one problem, and a misspelt key (``domian``) is reported as the
    unknown key with its "did you mean", not also as the missing field it was meant to be.
    """
    data = _data_at(doc.data, loc_prefix)
    grouped: dict[Loc, list[ErrorDetails]] = {}
    for err in exc.errors():
        grouped.setdefault(user_loc(err["loc"], data, missing=err["type"] == "missing"), []).append(err)
    found: list[AdvisorError] = []
    meant: set[Loc] = set()  # fields that an unknown key next to them was probably meant to be
    # Unknown keys come first, as before: a typo is the likeliest cause of everything else.
    for loc, errs in grouped.items():
        if errs[0]["type"] == "extra_forbidden":
            problem, close = _unknown_key(doc, model, error, loc, loc_prefix)
            if close is not None:
                meant.add((*loc[:-1], close))
            found.append(problem)
    for loc, errs in grouped.items():
        if errs[0]["type"] != "extra_forbidden" and not (errs[0]["type"] == "missing" and loc in meant):
            full = loc_prefix + loc
            line = doc.line_of(full, key=_is_key_error(errs[0]))
            found.append(error(_message(errs[0], errs[1:]), path=doc.path, line=line, field=dotted(full) or None))
    return found


def _unknown_key(
    doc: YamlDocument, model: type[BaseModel], error: type[AdvisorError], loc: Loc, loc_prefix: Loc
) -> tuple[AdvisorError, str | None]:
    """The error for an unknown key at ``loc``, and the allowed key it is close to (if one is)."""
    allowed = _allowed_keys(model, loc[:-1])
    close = closest(str(loc[-1]), allowed)
    full = loc_prefix + loc
    problem = error(
        "unknown key" + (f"; did you mean '{close}'?" if close else ""),
        path=doc.path,
        line=doc.line_of(full, key=True),
        field=dotted(full) or None,
        hint="allowed keys here: " + ", ".join(allowed) if allowed else None,
    )
    return problem, close


def combined(found: Sequence[AdvisorError]) -> AdvisorError:
    """One error for several problems: the first as today's one-line summary, every other one in the hint.

    The CLI prints an error's text on one line and its hint below; the other problems follow the first
    one's own hint, one per line with file, line and field, in file order, at most :data:`MAX_LISTED`
    in all. Each line is an error's own text, so control characters in it are already escaped.
    """
    first, rest = found[0], sorted(found[1:], key=lambda e: (e.line is None, e.line or 0))
    if not rest:
        return first
    shown = rest[: MAX_LISTED - 1]
    lines = [first.hint] if first.hint else []
    lines.append("also fix:")
    lines += [f"  {problem}" for problem in shown]
    if len(rest) > len(shown):
        lines.append(f"  ... and {_count(len(rest) - len(shown), 'more problem')}")
    return type(first)(
        f"{first.message} (and {_count(len(rest), 'more problem')})",
        path=first.path,
        line=first.line,
        field=first.field,
        hint="\n  ".join(lines),  # the CLI prints "  hint: " before the first line: the others line up
    )


def _count(number: int, noun: str) -> str:
    """``1 more problem``, ``3 more problems``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


_SHOULD = re.compile(r"^(Input|String|List|Dictionary|Value) should ")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _is_key_error(err: ErrorDetails) -> bool:
    """A key of the wrong type (``1: x`` or ``null: x`` where names are expected), not its value."""
    return err["type"] == "invalid_key" or (bool(err["loc"]) and err["loc"][-1] == "[key]")


def _message(err: ErrorDetails, alternatives: list[ErrorDetails]) -> str:
    msg = str(err["msg"])
    if _is_key_error(err):
        return f"a key here must be text, not {shown(err.get('input'))}; put it in quotes"
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "model_type" or err["type"] == "dict_type":
        return "expected a mapping of keys to values"
    if err["type"] == "string_pattern_mismatch":
        return f"{shown(err.get('input'))} is not a valid id: use lowercase letters, digits, '-' and '_'"
    value = err.get("input")
    if err["type"] == "enum" or err["type"] == "literal_error":
        return msg.replace("Input should be", "must be") + f" (got {shown(value)})" + _did_you_mean(value, [err])
    words = [str(a.get("ctx", {}).get("expected")) for a in alternatives if a["type"] == "literal_error"]
    text = _SHOULD.sub("must ", msg).replace("Value error, ", "")
    if words:
        text += f", or {' or '.join(words)}"
    if err["type"] == "value_error" and isinstance(value, dict):  # a check across fields: the section says nothing
        return text
    return f"{text} (got {shown(value)})" + _did_you_mean(value, alternatives)


def _did_you_mean(value: object, errs: list[ErrorDetails]) -> str:
    """``; did you mean 'vision'?`` when text is close to one of the words these errors allow (as ``init`` says).

    The words are read from pydantic's ``expected`` ("'vision', 'nlp' or 'graph'"): every enum and
    literal of the spec is text without quotes in it.
    """
    if not isinstance(value, str):
        return ""
    words = [w for e in errs if e["type"] in ("enum", "literal_error") for w in _QUOTED.findall(_expected(e))]
    return did_you_mean(value, words)


def _expected(err: ErrorDetails) -> str:
    return str(err.get("ctx", {}).get("expected", ""))


def shown(value: object, width: int = 40) -> str:
    """A value for an error message: ``repr`` (control characters escaped), cut to ``width`` characters.

    ``repr`` of an integer of more than 4,300 digits raises (CPython's conversion limit): such a value
    is described, not printed.
    """
    if isinstance(value, dict | list):
        return type(value).__name__
    try:
        text = repr(value)
    except ValueError:
        return "an integer of more than 4300 digits"
    if len(text) <= width:
        return text
    if isinstance(value, int):
        return f"an integer of {len(text.lstrip('-'))} digits"
    return text[: width - 4] + "..." + (text[-1] if isinstance(value, str | bytes) else "")
