"""Shared pydantic base: strict about unknown keys, immutable once loaded."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown keys are errors (typos must not be silently ignored); instances are frozen.

    Validators are built on first use (``defer_build``): a run that takes the knowledge base and rules from
    the cache (:mod:`advisor._cache`) never builds those it does not validate with.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, defer_build=True)
