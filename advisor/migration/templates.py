"""The fixed parts of a migration plan: strategies, checks and what staying costs (phases: phases.py).

Kept as typed constants next to the planner: they are methodology rather than facts about the
frameworks (those live in the knowledge base and are cited by id).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StrategyTemplate:
    name: str
    summary: str
    factor: float
    cites: tuple[str, ...]


STRATEGIES: dict[str, StrategyTemplate] = {
    "full_rewrite": StrategyTemplate(
        "Full rewrite",
        "Port every model, pipeline and serving path at once, then switch over.",
        1.0,
        ("migration-cost-scales-with-codebase",),
    ),
    "incremental": StrategyTemplate(
        "Incremental",
        "New models in the target framework; existing ones stay until each is retrained or retired.",
        1.1,
        ("migration-cost-scales-with-codebase",),
    ),
    "convert_and_freeze": StrategyTemplate(
        "Convert and freeze (ONNX)",
        "Export inference-only models to ONNX once and serve them with ONNX Runtime; never port their code.",
        0.3,
        ("torch-onnx-dynamo-exporter-default", "keras-export-multi-format", "tf2onnx-unmaintained-keras3-gap"),
    ),
    "keras3_backend": StrategyTemplate(
        "Keras 3 backend switch",
        "Move the Keras code to Keras 3 with backend-neutral keras.ops, then run it on the {backend} backend.",
        0.5,
        ("keras3-backend-switch-path", "keras-skills-transfer-across-backends", "tf-keras-legacy-package"),
    ),
}

VERIFICATION = (
    "Weight ports (same architecture, converted weights): fp32 outputs on golden inputs within max abs 1e-4 "
    "and max rel 1e-3 of the source model.",
    "Retrained models: task metric within the tolerance agreed in the inventory, on the same held-out set and "
    "seeds; parity of outputs is not expected across frameworks.",
    "Training: the first few hundred steps of the loss curve on a fixed-seed subset within a few percent.",
    "Performance: advisor probe on the target hardware before and after (same workloads, same settings).",
)
DEPLOYMENT_CHECK_GAP = (
    "Export round-trips to the deployment formats were not measured for this report: run "
    "`advisor recommend SPEC --probe` (or `advisor probe --deploy --spec SPEC`) to check each route on the "
    "probe models, and verify it again on the pilot model."
)

# What staying put costs, per framework: knowledge ids whose summaries are shown (when they apply).
STAYING_COSTS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "tensorflow": (
        ("tf-221-maintenance-focus", None),
        ("tf1-code-needs-rewrite", "tf1"),
        ("tf-keras-legacy-package", "keras2"),
        ("tf-serving-maintained-lagging", "tf_serving"),
        ("hf-v5-tf-users-must-move", "huggingface"),
        ("tfjs-stalled-releases", "browser"),
    ),
    "pytorch": (("torchserve-archived", "server"), ("torchscript-deprecated", None)),
    "jax": (
        ("jax-zero-version-churn", None),
        ("hf-transformers-v5-pytorch-only", "huggingface"),
        ("jax-serving-through-other-runtimes", "server"),
        ("jax-browser-only-via-onnx", "browser"),
        ("jax-no-microcontroller-route", "microcontroller"),
        ("jax-windows-cpu-only-native", "windows"),
        ("jax-apple-gpu-unsupported", "macos"),
    ),
}
