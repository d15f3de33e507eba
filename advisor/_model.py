"""Shared pydantic base: strict about unknown keys, immutable once loaded."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown keys are errors (typos must not be silently ignored); instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
