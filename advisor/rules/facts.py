"""What rules match against: the spec's own fields plus a few derived facts under ``derived``.

Derived facts spare rules from re-stating mappings (Keras code *is* TensorFlow-family code) in
every condition. They have a schema, so rule paths into ``derived`` are checked like spec paths.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from advisor._model import StrictModel
from advisor.spec.model import CodebaseFramework, ExperienceSpec, ProjectSpec

_FAMILY = {
    CodebaseFramework.pytorch: "pytorch",
    CodebaseFramework.tensorflow: "tensorflow",
    CodebaseFramework.keras: "tensorflow",
    CodebaseFramework.jax: "jax",
    CodebaseFramework.mixed: "mixed",
    CodebaseFramework.none: "none",
}


class DerivedFacts(StrictModel):
    codebase_framework: Literal["pytorch", "tensorflow", "jax", "mixed", "none"] = Field(
        description="Framework family of the existing code (Keras code counts as tensorflow)."
    )
    has_codebase: bool = Field(description="There is existing ML code to keep or migrate.")
    experienced_somewhere: bool = Field(description="The team is intermediate or expert in at least one framework.")


class RuleFacts(ProjectSpec):
    """The schema rule paths are checked against: the spec plus ``derived``."""

    derived: DerivedFacts


def _experienced(experience: ExperienceSpec) -> bool:
    return any(level.value in ("intermediate", "expert") for level in experience.__dict__.values())


def codebase_family(spec: ProjectSpec) -> str:
    """Framework family of the existing code: pytorch, tensorflow (Keras included), jax, mixed or none."""
    return _FAMILY[spec.codebase.framework]


def rule_facts(spec: ProjectSpec) -> dict[str, Any]:
    """Plain data (enums as strings) for the matchers."""
    codebase = spec.codebase
    derived = DerivedFacts(
        codebase_framework=codebase_family(spec),  # type: ignore[arg-type]
        has_codebase=codebase.framework is not CodebaseFramework.none
        and (codebase.lines_of_code > 0 or codebase.models > 0),
        experienced_somewhere=_experienced(spec.team.experience),
    )
    return {**spec.model_dump(mode="json"), "derived": derived.model_dump(mode="json")}
