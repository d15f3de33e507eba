"""Reads YAML data files into pydantic models, turning every problem into a located DataError."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from advisor._validation import raise_validation_error
from advisor.errors import AdvisorError, DataError
from advisor.yaml_io import YamlDocument, read_yaml

M = TypeVar("M", bound=BaseModel)


def load_model(path: Path, model: type[M], error: type[AdvisorError] = DataError) -> M:
    """Read ``path`` and validate it as ``model``; errors name file, line and field."""
    doc = read_yaml(path, error)
    return validate_document(doc, model, error)


def validate_document(doc: YamlDocument, model: type[M], error: type[AdvisorError], *, what: str = "a document") -> M:
    """Validate an already parsed document as ``model``; ``what`` names it for a user ("a project spec")."""
    if doc.data is None:
        raise error("file is empty", path=doc.path, hint=expected_mapping(model, what))
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise_validation_error(exc, doc, model, error)


def expected_mapping(model: type[BaseModel], what: str) -> str:
    """``expected a project spec: a mapping with at least name and task``, in the user's words, not the class's."""
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    if not required:
        return f"expected {what}: a mapping of keys to values"
    listed = required[0] if len(required) == 1 else ", ".join(required[:-1]) + " and " + required[-1]
    return f"expected {what}: a mapping with at least {listed}"


def located(doc_path: Path, message: str, **where: object) -> DataError:
    """A DataError for a cross-reference problem found after validation (no line known)."""
    field = where.get("field")
    return DataError(message, path=str(doc_path), field=str(field) if field else None)
