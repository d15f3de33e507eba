"""Turns a pydantic ``ValidationError`` into one user-facing error that names file, line and field."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from advisor.errors import AdvisorError
from advisor.yaml_io import YamlDocument


def dotted(loc: Iterable[str | int]) -> str:
    """``("deployment", "targets", 1, "kind")`` -> ``deployment.targets[1].kind``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _is_internal(part: str | int) -> bool:
    """Location parts pydantic adds for unions/validators (``function-after[...]``, ``<tag>``)."""
    return isinstance(part, str) and (part.startswith("<") or ("[" in part and part.endswith("]")))


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
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


def raise_first_error(
    exc: ValidationError,
    doc: YamlDocument,
    model: type[BaseModel],
    error: type[AdvisorError],
    *,
    loc_prefix: tuple[str | int, ...] = (),
) -> None:
    """Raise ``error`` for the first validation problem, with line and a hint where one helps."""
    errors = exc.errors()
    # A misspelt key shows up twice: as "missing" and as "unknown". The typo is the cause: report it.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    raw = tuple(first["loc"])
    if first["type"] == "extra_forbidden" and raw:
        # The last part is the user's own key, whatever it looks like ("<", "a[b]"): never strip it.
        loc = (*(p for p in raw[:-1] if not _is_internal(p)), raw[-1])
    else:
        loc = tuple(p for p in raw if not _is_internal(p))
    full = loc_prefix + loc
    more = len(errors) - 1
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
        message = _message(first)
        line = doc.line_of(full)
    raise error(message + suffix, path=doc.path, line=line, field=dotted(full) or None, hint=hint)


def _message(err: ErrorDetails) -> str:
    msg = str(err["msg"])
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "model_type" or err["type"] == "dict_type":
        return "expected a mapping of keys to values"
    if err["type"] == "string_pattern_mismatch":
        return f"{err.get('input')!r} is not a valid id: use lowercase letters, digits, '-' and '_'"
    if err["type"] == "enum" or err["type"] == "literal_error":
        return msg.replace("Input should be", "must be")
    value = err.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return f"{msg.replace('Input should be', 'must be').replace('Value error, ', '')} (got {shown})"
