"""What rules match against: the spec's own fields plus a few derived facts under ``derived``.

Derived facts spare rules from re-stating mappings (Keras code *is* TensorFlow-family code) in
every condition. They have a schema, so rule paths into ``derived`` are checked like spec paths.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from advisor._model import StrictModel
from advisor.spec.model import CodebaseFramework, Experience, ExperienceSpec, ProjectSpec

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
    codebase_size_known: bool = Field(description="Lines of code and model count of the existing code are both stated.")
    experience_unknown: bool = Field(
        description="The team's experience is unknown for PyTorch, TensorFlow and JAX alike."
    )
    accelerators_in_use: list[str] = Field(
        description="Accelerators the team trains on or is committed to (committed ones included)."
    )


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
        and (not codebase.size_known or codebase.lines > 0 or codebase.model_count > 0),
        experienced_somewhere=_experienced(spec.team.experience),
        codebase_size_known=codebase.size_known,
        experience_unknown=all(
            getattr(spec.team.experience, fw) is Experience.unknown for fw in ("pytorch", "tensorflow", "jax")
        ),
        accelerators_in_use=sorted(
            {a.value for a in (*spec.infrastructure.accelerators, *spec.infrastructure.committed_accelerators)}
        ),
    )
    return {**spec.model_dump(mode="json"), "derived": derived.model_dump(mode="json")}
