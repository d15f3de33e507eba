"""Reads YAML data files into pydantic models, turning every problem into a located DataError."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from advisor._validation import raise_first_error
from advisor.errors import AdvisorError, DataError
from advisor.yaml_io import YamlDocument, read_yaml

M = TypeVar("M", bound=BaseModel)


def load_model(path: Path, model: type[M], error: type[AdvisorError] = DataError) -> M:
    """Read ``path`` and validate it as ``model``; errors name file, line and field."""
    doc = read_yaml(path, error)
    return validate_document(doc, model, error)


def validate_document(doc: YamlDocument, model: type[M], error: type[AdvisorError]) -> M:
    """Validate an already parsed document as ``model``."""
    if doc.data is None:
        raise error("file is empty", path=doc.path, hint=f"expected a {model.__name__} mapping")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise_first_error(exc, doc, model, error)
        raise  # unreachable: raise_first_error always raises


def located(doc_path: Path, message: str, **where: object) -> DataError:
    """A DataError for a cross-reference problem found after validation (no line known)."""
    field = where.get("field")
    return DataError(message, path=str(doc_path), field=str(field) if field else None)
