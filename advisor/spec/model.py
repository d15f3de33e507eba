"""Schema of the project spec. Field descriptions double as help text (``advisor schema``, ``init``).

Every section has defaults so that a minimal spec (just ``task.domain``) is valid; unknown keys are
errors so that a typo never silently drops a requirement.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from advisor._model import StrictModel

SPEC_VERSION: Literal[2] = 2
UNKNOWN: Literal["unknown"] = "unknown"
Unknown = Literal["unknown"]


class Domain(str, Enum):
    vision = "vision"
    nlp = "nlp"
    llm_finetuning = "llm_finetuning"
    diffusion = "diffusion"
    speech = "speech"
    tabular = "tabular"
    recommender = "recommender"
    rl = "rl"
    multimodal = "multimodal"
    graph = "graph"


class ModelFamily(str, Enum):
    cnn = "cnn"
    transformer = "transformer"
    rnn = "rnn"
    mlp = "mlp"
    diffusion_unet = "diffusion_unet"
    gnn = "gnn"
    mixed = "mixed"


class Architecture(str, Enum):
    novel = "novel"
    adapted = "adapted"
    off_the_shelf = "off_the_shelf"


class PretrainedSource(str, Enum):
    huggingface = "huggingface"
    tf_hub_kaggle = "tf_hub_kaggle"
    keras_hub = "keras_hub"
    timm_torchvision = "timm_torchvision"
    none = "none"


class TargetKind(str, Enum):
    server_rest = "server_rest"
    server_grpc = "server_grpc"
    serverless = "serverless"
    batch = "batch"
    android = "android"
    ios = "ios"
    browser = "browser"
    microcontroller = "microcontroller"
    edge_linux = "edge_linux"


class Experience(str, Enum):
    unknown = "unknown"  # not stated: widens the uncertainty, never read as "none"
    none = "none"
    beginner = "beginner"
    intermediate = "intermediate"
    expert = "expert"


class CodebaseFramework(str, Enum):
    none = "none"
    pytorch = "pytorch"
    tensorflow = "tensorflow"
    keras = "keras"
    jax = "jax"
    mixed = "mixed"


class Accelerator(str, Enum):
    nvidia_gpu = "nvidia_gpu"
    amd_gpu = "amd_gpu"
    apple_silicon = "apple_silicon"
    tpu = "tpu"
    cpu = "cpu"
    intel_gpu = "intel_gpu"
    unknown = "unknown"


class Horizon(str, Enum):
    """How long the project must live; ecosystem-and-future criteria weigh by it."""

    prototype = "prototype"  # weeks to months; throw-away or a proof of concept
    product = "product"  # a product maintained for a few years
    platform = "platform"  # a platform other teams build on, for many years
    unknown = "unknown"


class ServingSoftware(str, Enum):
    torchserve = "torchserve"
    tf_serving = "tf_serving"
    triton = "triton"
    kserve = "kserve"
    vllm = "vllm"
    onnx_runtime = "onnx_runtime"
    bentoml = "bentoml"
    ray_serve = "ray_serve"
    sagemaker = "sagemaker"
    vertex_ai = "vertex_ai"
    custom = "custom"


class ServingStatus(str, Enum):
    required = "required"  # mandated by policy: a framework that cannot use it is excluded
    in_use = "in_use"  # already runs in production: switching it costs, keeping it favours its frameworks


class ApiGeneration(str, Enum):
    """The API generation of existing code: TF1-style graphs are a liability for either target."""

    tf1 = "tf1"  # tf.compat.v1 sessions, placeholders, Estimators
    tf2_keras2 = "tf2_keras2"  # TF2 eager with Keras 2 (tf.keras / tf-keras)
    keras3 = "keras3"  # Keras 3 (multi-backend)
    pytorch = "pytorch"
    jax = "jax"
    unknown = "unknown"


class MlopsPlatform(str, Enum):
    vertex_ai = "vertex_ai"
    tfx = "tfx"
    sagemaker = "sagemaker"
    azure_ml = "azure_ml"
    kubeflow = "kubeflow"
    databricks = "databricks"
    mlflow = "mlflow"
    none = "none"
    unknown = "unknown"


class Cloud(str, Enum):
    aws = "aws"
    gcp = "gcp"
    azure = "azure"
    on_prem = "on_prem"
    none = "none"


class OperatingSystem(str, Enum):
    linux = "linux"
    windows = "windows"
    macos = "macos"


_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def _parameter_count(value: object) -> object:
    """``7B``, ``350M``, ``1.5T``, ``125k`` or ``7e9`` as a number of parameters; anything else unchanged, for
    the type to refuse (or ``unknown`` to match)."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower().replace("_", "").replace(",", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmbt]?)", text)
    if match:
        return float(match.group(1)) * _SCALE[match.group(2)]
    try:
        return float(text)
    except ValueError:
        return value


ParameterCount = Annotated[float, BeforeValidator(_parameter_count), Field(gt=0, le=1e15, allow_inf_nan=False)]


class TaskSpec(StrictModel):
    """What the models do and where they come from."""

    domain: Domain = Field(description="Task domain of the project.")
    model_family: ModelFamily = Field(
        ModelFamily.mixed, description="Main model family (decides which probe workloads run)."
    )
    architecture: Architecture = Field(
        Architecture.adapted,
        description="novel: new architectures; adapted: known ones modified; off_the_shelf: used as is.",
    )
    pretrained_sources: list[PretrainedSource] = Field(
        default_factory=list, description="Where pretrained weights come from."
    )
    model_parameters: ParameterCount | Unknown = Field(
        UNKNOWN,
        description="Size of the largest model trained, in parameters (7B, 350M, 7000000000), or unknown.",
    )


class DeploymentTarget(StrictModel):
    """One place the models must run."""

    # Latency and model size are only compared with thresholds, never multiplied or summed, so any finite
    # positive number is safe; infinity (what `1e400` reads as) passed `gt=0` and is now refused.

    kind: TargetKind = Field(description="Kind of deployment target.")
    required: bool = Field(True, description="A required target is a hard constraint; optional ones only add weight.")
    latency_ms_p95: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="Latency budget at p95, in milliseconds."
    )
    max_model_size_mb: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="Largest model artifact the target accepts, in megabytes."
    )


class ServingStack(StrictModel):
    """Serving software that policy requires or that already runs in production."""

    software: ServingSoftware = Field(description="The serving software.")
    status: ServingStatus = Field(
        ServingStatus.in_use, description="required: mandated by policy; in_use: already runs in production."
    )


class DeploymentSpec(StrictModel):
    targets: list[DeploymentTarget] = Field(default_factory=list, description="Deployment targets.")
    serving: list[ServingStack] = Field(
        default_factory=list, description="Serving software required by policy or already in use."
    )


class ExperienceSpec(StrictModel):
    pytorch: Experience = Field(Experience.unknown, description="The team's PyTorch experience.")
    tensorflow: Experience = Field(Experience.unknown, description="The team's TensorFlow/Keras experience.")
    jax: Experience = Field(Experience.unknown, description="The team's JAX experience.")


class TeamSpec(StrictModel):
    size: Annotated[int, Field(ge=1, le=10_000)] = Field(3, description="Number of ML engineers.")
    experience: ExperienceSpec = Field(default_factory=ExperienceSpec)
    hiring: bool = Field(False, description="Whether the team plans to hire for this project.")


# Bounds: far above any real estate (the largest monorepos hold ~10^9 lines in all, ML code is a
# small part), low enough that arithmetic on them never overflows.
MAX_LINES, MAX_MODELS, MAX_CUSTOM_OPS = 1_000_000_000, 1_000_000, 100_000
# What an unknown size is assumed to be in effort estimates (a mid-size estate); the report says so.
ASSUMED_LINES, ASSUMED_MODELS = 20_000, 3


class CodebaseSpec(StrictModel):
    """Existing code the team would keep or migrate."""

    framework: CodebaseFramework = Field(
        CodebaseFramework.none, description="Framework of the existing code (keras: Keras models)."
    )
    lines_of_code: Annotated[int, Field(ge=0, le=MAX_LINES)] | Unknown = Field(
        UNKNOWN, description="Size of the ML code in lines, or unknown."
    )
    models: Annotated[int, Field(ge=0, le=MAX_MODELS)] | Unknown = Field(
        UNKNOWN, description="Number of models in production, or unknown."
    )
    custom_ops: Annotated[int, Field(ge=0, le=MAX_CUSTOM_OPS)] | Unknown = Field(
        0, description="Custom ops or kernels written for the current framework, or unknown."
    )
    keras_version: Literal[2, 3] | None = Field(None, description="Keras major version, when the code uses Keras.")
    api_generations: list[ApiGeneration] = Field(
        default_factory=list,
        description="API generations in the existing code (tf1: tf.compat.v1 sessions/placeholders/Estimators).",
    )

    @model_validator(mode="after")
    def _nothing_to_measure_without_code(self) -> CodebaseSpec:
        # Without code there is nothing whose size could be unknown: read the sizes as zero.
        if self.framework is CodebaseFramework.none:
            for name in ("lines_of_code", "models", "custom_ops"):
                if getattr(self, name) == UNKNOWN:
                    object.__setattr__(self, name, 0)
        return self

    @property
    def size_known(self) -> bool:
        """Whether lines of code and model count are both stated."""
        return UNKNOWN not in (self.lines_of_code, self.models)

    @property
    def lines(self) -> int:
        """Lines of code, with an assumed mid-size estate when unknown (see ASSUMED_*)."""
        return ASSUMED_LINES if self.lines_of_code == UNKNOWN else int(self.lines_of_code)

    @property
    def model_count(self) -> int:
        return ASSUMED_MODELS if self.models == UNKNOWN else int(self.models)

    def describe_size(self) -> str:
        """'3 models, 12000 lines, 0 custom ops', saying 'unknown' for what the spec leaves open."""

        def part(value: int | str, noun: str) -> str:
            return f"{noun}: unknown" if value == UNKNOWN else f"{value} {noun}"

        return ", ".join(
            (part(self.models, "models"), part(self.lines_of_code, "lines"), part(self.custom_ops, "custom ops"))
        )

    @property
    def ops(self) -> int:
        return 0 if self.custom_ops == UNKNOWN else int(self.custom_ops)


class InfrastructureSpec(StrictModel):
    clouds: list[Cloud] = Field(default_factory=list, description="Where training and serving run.")
    accelerators: list[Accelerator] = Field(
        default_factory=lambda: [Accelerator.nvidia_gpu], description="Accelerators for training."
    )
    operating_systems: list[OperatingSystem] = Field(
        default_factory=lambda: [OperatingSystem.linux], description="Developer and training OS."
    )
    windows_native: bool = Field(False, description="GPU work must run on native Windows (WSL2 is not an option).")
    multi_gpu: bool = Field(False, description="Training uses several GPUs on one machine.")
    multi_node: bool = Field(False, description="Training spans several machines.")
    training_accelerators: Annotated[int, Field(ge=1, le=1_000_000)] | Unknown = Field(
        UNKNOWN, description="Accelerators (GPUs or TPU chips) one training job uses, or unknown."
    )
    committed_accelerators: list[Accelerator] = Field(
        default_factory=list,
        description="Accelerators the team is committed to (bought or contracted: TPU pods, Apple silicon, AMD).",
    )
    mlops_platforms: list[MlopsPlatform] = Field(
        default_factory=list, description="MLOps platforms the team runs on (Vertex AI/TFX, SageMaker, ...)."
    )


class ConstraintsSpec(StrictModel):
    """Hard constraints: a framework that violates one is excluded, with the reason shown."""

    exclude_frameworks: list[str] = Field(
        default_factory=list, description="Frameworks ruled out by policy (ids, e.g. tensorflow)."
    )
    required_capabilities: list[str] = Field(
        default_factory=list, description="Capabilities that must be supported (see advisor kb)."
    )
    # Finite, so that `.nan` is refused as "must be a finite number", not as out of range.
    min_ratings: dict[str, Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)]] = Field(
        default_factory=dict, description="Lowest acceptable rating per criterion (1..5)."
    )


class ProbeSpec(StrictModel):
    """The team's own model, for `advisor recommend --probe` (and `advisor probe --spec`)."""

    model: Annotated[str, Field(max_length=4096)] | None = Field(
        None,
        description=(
            "Your own model to measure and convert, relative to this file's folder: path/to/file.py:function "
            "or package.module:function (a factory returning a torch.nn.Module or a Keras 3 model with its "
            "example inputs), or a saved .pt2, .keras, .onnx file or SavedModel folder."
        ),
    )
    framework: Literal["auto", "pytorch", "keras"] = Field(
        "auto",
        description="What a factory builds: auto reads the factory file's imports (torch or keras).",
    )
    dynamic_dims: list[Annotated[int, Field(ge=0, le=31)]] | None = Field(
        None,
        description=(
            "Input axes that may change size (default: axis 0, the batch); exports mark them dynamic and "
            "check parity at a second size. [] for fixed shapes."
        ),
    )

    @field_validator("model")
    @classmethod
    def _a_reference(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from advisor.evidence.model_ref import RefError, parse_ref

        try:
            parse_ref(value)
        except RefError as error:
            raise ValueError(str(error)) from None
        return value


class ProjectSpec(StrictModel):
    """A team's project, as the advisor needs to know it."""

    version: Literal[1, 2] = Field(
        SPEC_VERSION, description="Spec format version (1 still loads; 2 adds horizon, serving, API generations)."
    )
    name: Annotated[str, Field(min_length=1, max_length=120)] = Field(description="Project name, shown in the report.")
    description: str = Field("", description="One or two sentences about the project.")
    horizon: Horizon = Field(
        Horizon.product, description="How long the project must live: prototype, product or platform (years)."
    )
    task: TaskSpec
    deployment: DeploymentSpec = Field(default_factory=DeploymentSpec)
    team: TeamSpec = Field(default_factory=TeamSpec)
    codebase: CodebaseSpec = Field(default_factory=CodebaseSpec)
    infrastructure: InfrastructureSpec = Field(default_factory=InfrastructureSpec)
    priorities: dict[str, Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description=(
            "Weight per criterion or criterion group, 0 (ignore) .. 5 (critical); replaces the computed weight."
        ),
    )
    constraints: ConstraintsSpec = Field(default_factory=ConstraintsSpec)
    probe: ProbeSpec = Field(default_factory=ProbeSpec, description="Your own model, for measured evidence.")

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @model_validator(mode="after")
    def _keras_version_needs_keras(self) -> ProjectSpec:
        if self.codebase.keras_version is not None and self.codebase.framework not in (
            CodebaseFramework.keras,
            CodebaseFramework.tensorflow,
            CodebaseFramework.mixed,
        ):
            raise ValueError("codebase.keras_version only applies to Keras/TensorFlow code")
        return self
