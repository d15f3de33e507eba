"""Field paths over the spec (``deployment.targets[].kind``): resolving values and checking paths.

Paths are checked against the ProjectSpec schema when rules load, so a typo in a rule is an error at
load time rather than a rule that silently never fires.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel

FAN_OUT = "[]"


def split(path: str) -> list[str]:
    """``a.b[].c`` -> ``["a", "b", "[]", "c"]``."""
    parts: list[str] = []
    for piece in path.split("."):
        if piece.endswith(FAN_OUT):
            parts += [piece[: -len(FAN_OUT)], FAN_OUT]
        else:
            parts.append(piece)
    return parts


def resolve(data: Any, path: str) -> list[Any]:
    """Every value at ``path`` in plain spec data (fan-out over ``[]``); missing parts give none."""
    values = [data]
    for part in split(path):
        nxt: list[Any] = []
        for value in values:
            if part == FAN_OUT:
                if isinstance(value, list):
                    nxt.extend(value)
            elif isinstance(value, dict) and part in value:
                nxt.append(value[part])
        values = nxt
    return values


def leaf_annotation(model: type[BaseModel], path: str) -> Any:
    """The type at ``path`` in ``model``; raises ValueError naming the first part that doesn't exist."""
    current: Any = model
    for part in split(path):
        if part == FAN_OUT:
            inner = _list_item(current)
            if inner is None:
                raise ValueError(f"'{path}': [] used on a field that is not a list")
            current = inner
            continue
        model_type = _model_of(current)
        if model_type is not None:
            field = model_type.model_fields.get(part)
            if field is None:
                raise ValueError(f"'{path}': no field '{part}' (has: {', '.join(model_type.model_fields)})")
            current = field.annotation
        elif _dict_value(current) is not None:
            current = _dict_value(current)
        else:
            raise ValueError(f"'{path}': cannot look inside a value at '{part}'")
    return current


def enum_values(annotation: Any) -> set[str] | None:
    """Allowed values when the annotation is (a list/optional of) an Enum; otherwise None."""
    for candidate in _flatten(annotation):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return {member.value for member in candidate}
    return None


def _flatten(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    out: list[Any] = []
    for arg in args:
        out += _flatten(arg)
    return out


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in _flatten(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _list_item(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is list:
        return typing.get_args(annotation)[0]
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _list_item(arg)
            if found is not None:
                return found
    return None


def _dict_value(annotation: Any) -> Any:
    if typing.get_origin(annotation) is dict:
        return typing.get_args(annotation)[1]
    return None
