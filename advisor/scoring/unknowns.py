"""What the spec leaves unknown, and what stating it would sharpen: the "what would sharpen this answer" list.

Unknown is not none: an unknown field never fires the rules written for "none" or "greenfield"; it
widens the uncertainty instead, and the report says which answer would narrow it again.
"""

from __future__ import annotations

from advisor.scoring.result import Unknown
from advisor.spec.model import UNKNOWN, Accelerator, ApiGeneration, Experience, Horizon, MlopsPlatform, ProjectSpec

EXPERIENCE_NAMES = (("pytorch", "PyTorch"), ("tensorflow", "TensorFlow/Keras"), ("jax", "JAX"))


def unknowns(spec: ProjectSpec, candidates: tuple[str, ...] | None = None) -> tuple[Unknown, ...]:
    """The fields this spec leaves unknown, each with what stating it would change.

    ``candidates`` are the frameworks still compared (an excluded framework's experience cannot
    sharpen anything); None means all.
    """
    out: list[Unknown] = []
    experience = spec.team.experience
    for fw, name in EXPERIENCE_NAMES:
        if candidates is not None and fw not in candidates:
            continue
        if getattr(experience, fw) is Experience.unknown:
            out.append(
                Unknown(
                    field=f"team.experience.{fw}",
                    text=f"The team's {name} experience is unknown, so team fit cannot favour or penalise "
                    f"{name}; experience is the strongest predictor of a team's speed.",
                )
            )
    codebase = spec.codebase
    if codebase.lines_of_code == UNKNOWN or codebase.models == UNKNOWN:
        out.append(
            Unknown(
                field="codebase.lines_of_code, codebase.models",
                text="The size of the existing code is unknown: migration cost is weighed as for a mid-size "
                "estate with a wide spread, and the effort estimate's range is widened.",
            )
        )
    if codebase.custom_ops == UNKNOWN:
        out.append(
            Unknown(
                field="codebase.custom_ops",
                text="The number of custom ops is unknown; each one is manual work in a migration.",
            )
        )
    if ApiGeneration.unknown in codebase.api_generations:
        out.append(
            Unknown(
                field="codebase.api_generations",
                text="The API generation of the existing code is unknown; TF1-style code needs a rewrite "
                "whichever framework is chosen.",
            )
        )
    infrastructure = spec.infrastructure
    if Accelerator.unknown in (*infrastructure.accelerators, *infrastructure.committed_accelerators):
        out.append(
            Unknown(
                field="infrastructure.accelerators",
                text="The hardware is unknown, so no hardware-specific knowledge (TPU, Apple, AMD, Windows) "
                "was applied.",
            )
        )
    if MlopsPlatform.unknown in infrastructure.mlops_platforms:
        out.append(
            Unknown(
                field="infrastructure.mlops_platforms",
                text="The MLOps platform is unknown; a TFX pipeline on Vertex AI would favour TensorFlow.",
            )
        )
    several = infrastructure.multi_gpu or infrastructure.multi_node
    if several and UNKNOWN in (infrastructure.training_accelerators, spec.task.model_parameters):
        out.append(
            Unknown(
                field="infrastructure.training_accelerators, task.model_parameters",
                text="How many accelerators a training job uses, or how large the model is, is unknown; from "
                "hundreds of accelerators or tens of billions of parameters the frameworks' large-scale "
                "stacks, checkpointing and fault tolerance weigh in (7B or 256 are enough to say).",
            )
        )
    if spec.horizon is Horizon.unknown:
        out.append(
            Unknown(
                field="horizon",
                text="How long the project must live is unknown; long-term maintenance is weighed as for a "
                "product (a prototype would weigh it less, a platform more).",
            )
        )
    return tuple(out)
