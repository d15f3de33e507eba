"""Schema of the project spec. Field descriptions double as help text (``advisor schema``, ``init``).

Every section has defaults so that a minimal spec (just ``task.domain``) is valid; unknown keys are
errors so that a typo never silently drops a requirement.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from advisor._model import StrictModel

SPEC_VERSION = 1


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


class DeploymentTarget(StrictModel):
    """One place the models must run."""

    kind: TargetKind = Field(description="Kind of deployment target.")
    required: bool = Field(True, description="A required target is a hard constraint; optional ones only add weight.")
    latency_ms_p95: Annotated[float, Field(gt=0)] | None = Field(
        None, description="Latency budget at p95, in milliseconds."
    )
    max_model_size_mb: Annotated[float, Field(gt=0)] | None = Field(
        None, description="Largest model artifact the target accepts, in megabytes."
    )


class DeploymentSpec(StrictModel):
    targets: list[DeploymentTarget] = Field(default_factory=list, description="Deployment targets.")


class ExperienceSpec(StrictModel):
    pytorch: Experience = Field(Experience.none, description="The team's PyTorch experience.")
    tensorflow: Experience = Field(Experience.none, description="The team's TensorFlow/Keras experience.")
    jax: Experience = Field(Experience.none, description="The team's JAX experience.")


class TeamSpec(StrictModel):
    size: Annotated[int, Field(ge=1, le=10_000)] = Field(3, description="Number of ML engineers.")
    experience: ExperienceSpec = Field(default_factory=ExperienceSpec)
    hiring: bool = Field(False, description="Whether the team plans to hire for this project.")


class CodebaseSpec(StrictModel):
    """Existing code the team would keep or migrate."""

    framework: CodebaseFramework = Field(
        CodebaseFramework.none, description="Framework of the existing code (keras: Keras models)."
    )
    lines_of_code: Annotated[int, Field(ge=0)] = Field(0, description="Size of the ML code.")
    models: Annotated[int, Field(ge=0)] = Field(0, description="Number of models in production.")
    custom_ops: Annotated[int, Field(ge=0)] = Field(
        0, description="Custom ops or kernels written for the current framework."
    )
    keras_version: Literal[2, 3] | None = Field(None, description="Keras major version, when the code uses Keras.")


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


class ConstraintsSpec(StrictModel):
    """Hard constraints: a framework that violates one is excluded, with the reason shown."""

    exclude_frameworks: list[str] = Field(
        default_factory=list, description="Frameworks ruled out by policy (ids, e.g. tensorflow)."
    )
    required_capabilities: list[str] = Field(
        default_factory=list, description="Capabilities that must be supported (see advisor kb)."
    )
    min_ratings: dict[str, Annotated[float, Field(ge=1, le=5)]] = Field(
        default_factory=dict, description="Lowest acceptable rating per criterion (1..5)."
    )


class ProjectSpec(StrictModel):
    """A team's project, as the advisor needs to know it."""

    version: Literal[1] = Field(1, description="Spec format version.")
    name: Annotated[str, Field(min_length=1, max_length=120)] = Field(description="Project name, shown in the report.")
    description: str = Field("", description="One or two sentences about the project.")
    task: TaskSpec
    deployment: DeploymentSpec = Field(default_factory=DeploymentSpec)
    team: TeamSpec = Field(default_factory=TeamSpec)
    codebase: CodebaseSpec = Field(default_factory=CodebaseSpec)
    infrastructure: InfrastructureSpec = Field(default_factory=InfrastructureSpec)
    priorities: dict[str, Annotated[float, Field(ge=0, le=5)]] = Field(
        default_factory=dict,
        description=(
            "Weight per criterion or criterion group, 0 (ignore) .. 5 (critical); replaces the computed weight."
        ),
    )
    constraints: ConstraintsSpec = Field(default_factory=ConstraintsSpec)

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
