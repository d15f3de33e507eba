"""The phases of a migration, with exit criteria, for what this spec actually has: a TF1 rewrite only with
TF1 code, a serving phase only with serving to move, a pipeline rebuild only with TFX, a cut-over only
with deployment targets, and one step per production model when the spec says how many there are."""

from __future__ import annotations

from advisor.migration.model import Phase
from advisor.migration.scope import Scope

_INVENTORY = Phase(
    name="Inventory",
    goal="Know exactly what has to move.",
    exit_criteria=(
        "every model listed with owner, inputs and outputs, metric and tolerance",
        "custom ops, data pipelines and serving endpoints listed",
        "each item mapped to a row of the API map, or marked as having no equivalent",
    ),
)
_PILOT = Phase(
    name="Pilot model",
    goal="Port one representative model end to end to calibrate the estimate.",
    exit_criteria=(
        "pilot reaches output or metric parity within tolerance",
        "measured effort of the pilot replaces the planning weights of the estimate",
    ),
)
_TF1 = Phase(
    name="TF1-style code",
    goal="Rebuild the session, placeholder and Estimator models as eager code: there is no mechanical route.",
    exit_criteria=(
        "each TF1-style model reconstructed from its math and its checkpoints",
        "its outputs match outputs recorded from the old system on golden inputs",
    ),
)
_DATA = Phase(
    name="Data pipeline",
    goal="Feed the new framework the same data.",
    exit_criteria=(
        "same batches on a fixed-seed sample (contents and order where order matters)",
        "input throughput at least that of the old pipeline",
    ),
)
_TRAINING = Phase(
    name="Training loop",
    goal="Train in the new framework.",
    exit_criteria=(
        "loss curve on a fixed-seed subset within tolerance of the old one",
        "checkpoints save, restore and resume",
    ),
)
_TFX = Phase(
    name="ML pipelines",
    goal="Rebuild the TFX pipelines on framework-neutral components (TFX steps assume TensorFlow artefacts).",
    exit_criteria=(
        "validation, transform, training, evaluation and push steps run for the pilot model",
        "full-pass transform statistics (vocabularies, normalisation) versioned with each model",
    ),
)


_EVALUATION = Phase(
    name="Evaluation parity",
    goal="Show that nothing got worse.",
    exit_criteria=(
        "every model within its agreed metric tolerance on the held-out set",
        "latency and memory measured on the target hardware (advisor probe)",
    ),
)


def _serving(scope: Scope, target_name: str) -> Phase:
    replaced = " and ".join(scope.serving_to_replace)
    changed = " and ".join(scope.serving_to_reconfigure)
    goal = (
        f"Serve {target_name} models: {replaced} cannot load them, so a server that can replaces it"
        if replaced
        else f"Serve {target_name} models on {changed} (a new model format and configuration)"
    )
    return Phase(
        name="Serving stack",
        goal=goal + ".",
        exit_criteria=(
            "the pilot model served on the new stack within its latency budget",
            "batching, versioning and monitoring configured as on the old stack",
        ),
    )


def _switch(scope: Scope) -> Phase:
    models = f"each of the {scope.models} production models" if scope.models else "each production model"
    criteria = [f"{models} moved behind shadow traffic, then a canary within its latency budget"]
    if scope.device:
        criteria.append("every device target runs the exported models within its latency and size budget")
    criteria.append("rollback to the old path rehearsed")
    return Phase(
        name="Serving and deployment switch", goal="Move traffic without downtime.", exit_criteria=tuple(criteria)
    )


def _decommission(scope: Scope) -> Phase:
    criteria = ["old framework removed from requirements, images and CI"]
    if scope.serving_to_replace or scope.server:
        criteria.append("old serving shut down")
    return Phase(name="Decommission", goal="Stop paying for two stacks.", exit_criteria=tuple(criteria))


def phases_for(scope: Scope, target_name: str) -> tuple[Phase, ...]:
    phases = [_INVENTORY, _PILOT]
    if scope.tf1_code:
        phases.append(_TF1)
    phases += [_DATA, _TRAINING]
    if scope.tfx:
        phases.append(_TFX)
    phases.append(_EVALUATION)
    if scope.serving_to_replace or scope.serving_to_reconfigure:
        phases.append(_serving(scope, target_name))
    if scope.target_kinds:
        phases.append(_switch(scope))
    phases.append(_decommission(scope))
    return tuple(phases)
