"""Turns a pydantic ``ValidationError`` into one user-facing error that names file, line and field."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from advisor.errors import AdvisorError
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


def raise_first_error(
    exc: ValidationError,
    doc: YamlDocument,
    model: type[BaseModel],
    error: type[AdvisorError],
    *,
    loc_prefix: Loc = (),
) -> None:
    """Raise ``error`` for the first validation problem, with line and a hint where one helps."""
    errors = exc.errors()
    data = _data_at(doc.data, loc_prefix)
    located = [(e, user_loc(e["loc"], data, missing=e["type"] == "missing")) for e in errors]
    # A misspelt key shows up twice: as "missing" and as "unknown". The typo is the cause: report it.
    first, loc = next(((e, loc) for e, loc in located if e["type"] == "extra_forbidden"), located[0])
    full = loc_prefix + loc
    # One value that fails every member of a union (`int | 'unknown'`) is one problem, not several.
    same = [e for e, other in located if other == loc and e is not first]
    more = len({other for _, other in located if other != loc})
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    hint = None
    if first["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        message = "unknown key" + (f"; did you mean '{close[0]}'?" if close else "")
        if allowed:
            hint = "allowed keys here: " + ", ".join(allowed)
        line = doc.line_of(full, key=True)
    else:
        message = _message(first, same)
        line = doc.line_of(full, key=_is_key_error(first))
    raise error(message + suffix, path=doc.path, line=line, field=dotted(full) or None, hint=hint)


_SHOULD = re.compile(r"^(Input|String|List|Dictionary|Value) should ")


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
    if err["type"] == "enum" or err["type"] == "literal_error":
        return msg.replace("Input should be", "must be")
    words = [str(a.get("ctx", {}).get("expected")) for a in alternatives if a["type"] == "literal_error"]
    text = _SHOULD.sub("must ", msg).replace("Value error, ", "")
    if words:
        text += f", or {' or '.join(words)}"
    value = err.get("input")
    if err["type"] == "value_error" and isinstance(value, dict):  # a check across fields: the section says nothing
        return text
    return f"{text} (got {shown(value)})"


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
