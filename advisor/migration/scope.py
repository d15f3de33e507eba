"""What a migration has to carry, read once from the spec: every part of the plan (strategy, effort,
phases, risks) asks this, so none of them can disagree with the spec or with each other."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.knowledge.load import KnowledgeBase
from advisor.spec.model import UNKNOWN, CodebaseFramework, MlopsPlatform, ProjectSpec, ServingStatus, TargetKind

SERVER = {TargetKind.server_rest, TargetKind.server_grpc, TargetKind.serverless, TargetKind.batch}
DEVICE = {TargetKind.android, TargetKind.ios, TargetKind.edge_linux, TargetKind.microcontroller, TargetKind.browser}
SOFTWARE_NAMES = {
    "tf_serving": "TF Serving",
    "torchserve": "TorchServe",
    "triton": "Triton",
    "kserve": "KServe",
    "vllm": "vLLM",
    "onnx_runtime": "ONNX Runtime",
    "bentoml": "BentoML",
    "ray_serve": "Ray Serve",
    "sagemaker": "SageMaker",
    "vertex_ai": "Vertex AI",
    "custom": "a custom server",
}


@dataclass(frozen=True)
class Scope:
    """The facts of the spec a migration plan depends on, for moving to ``target``."""

    target: str
    keras_code: bool  # Keras models (Keras 2 or 3)
    tf1_code: bool  # tf.compat.v1 sessions, placeholders or Estimators
    only_tf1: bool  # nothing but TF1-style code
    custom_ops: int | None  # None: unknown
    models: int | None  # models in production; None: unknown
    lines: int | None  # None: unknown
    server: bool
    device: bool
    target_kinds: int
    serving_to_replace: tuple[str, ...]  # serving software that cannot serve the target's models
    serving_to_reconfigure: tuple[str, ...]  # serving software that can, after a change of model format
    tfx: bool  # TFX pipelines that would have to be rebuilt

    @property
    def unknowns(self) -> tuple[str, ...]:
        """What the spec leaves unknown that the effort depends on (spec field names)."""
        names = [("codebase.custom_ops", self.custom_ops), ("codebase.models", self.models)]
        names.append(("codebase.lines_of_code", self.lines))
        return tuple(name for name, value in names if value is None)


def _number(value: int | str) -> int | None:
    return None if value == UNKNOWN else int(value)


def _serving(spec: ProjectSpec, kb: KnowledgeBase, target: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(software to replace, software to reconfigure) among the serving stacks in use or required."""
    replace: list[str] = []
    reconfigure: list[str] = []
    for stack in spec.deployment.serving:
        if stack.status not in (ServingStatus.in_use, ServingStatus.required):
            continue
        capability = kb.capabilities.get(f"serving_{stack.software.value}")
        support = capability.support[target].value if capability is not None else "supported"
        name = SOFTWARE_NAMES.get(stack.software.value, stack.software.value)
        (replace if support == "unsupported" else reconfigure).append(name)
    return tuple(dict.fromkeys(replace)), tuple(dict.fromkeys(reconfigure))


def scope_of(spec: ProjectSpec, kb: KnowledgeBase, target: str) -> Scope:
    codebase = spec.codebase
    generations = {g.value for g in codebase.api_generations}
    kinds = {t.kind for t in spec.deployment.targets}
    replace, reconfigure = _serving(spec, kb, target)
    return Scope(
        target=target,
        keras_code=codebase.framework is CodebaseFramework.keras or codebase.keras_version is not None,
        tf1_code="tf1" in generations,
        only_tf1=generations == {"tf1"},
        custom_ops=_number(codebase.custom_ops),
        models=_number(codebase.models),
        lines=_number(codebase.lines_of_code),
        server=bool(kinds & SERVER),
        device=bool(kinds & DEVICE),
        target_kinds=len(kinds),
        serving_to_replace=replace,
        serving_to_reconfigure=reconfigure,
        tfx=MlopsPlatform.tfx in spec.infrastructure.mlops_platforms and target != "tensorflow",
    )
