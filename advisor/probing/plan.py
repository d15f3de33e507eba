"""What to probe: the workloads a spec implies, budgets per tier, and the framework order.

Budgets are wall-clock time per framework as the user waits for it, the framework import included;
deployment checks, when asked for, get ``DEPLOY_BUDGET_S`` on top (docs/measurement.md). ``quick``
runs each framework once; ``full`` runs them twice in ABBA order (torch, tf, tf, torch) against
drift, pools the samples of both rounds, and counts a comparison only when both rounds agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from advisor.errors import AdvisorError
from advisor.evidence.model_ref import Framework, resolve
from advisor.evidence.probe_run import ModelSettings, ProbeSettings
from advisor.evidence.scale import ScaleSettings
from advisor.probing.host import cpu_count
from advisor.probing.scale_launch import Cluster
from advisor.scoring.evidence import DEPLOY_OF_TARGET
from advisor.spec.model import ModelFamily, ProjectSpec

ALL_WORKLOADS = ["mlp", "cnn", "transformer", "lstm"]
FAMILY_WORKLOADS: dict[ModelFamily, list[str]] = {
    ModelFamily.cnn: ["cnn"],
    ModelFamily.transformer: ["transformer"],
    ModelFamily.rnn: ["lstm"],
    ModelFamily.mlp: ["mlp"],
    ModelFamily.diffusion_unet: ["cnn", "transformer"],  # a U-Net mixes convolutions and attention
    ModelFamily.gnn: ["mlp"],  # message passing is dominated by dense transforms and gathers
    ModelFamily.mixed: ALL_WORKLOADS,
}
TIERS = {"quick": (60.0, 1), "full": (240.0, 2)}  # seconds per framework and round; rounds
# quick, all four workloads in both modes on the 2-core CPU (bench/probe_suite.py, phases that stop once
# settled): 35.5 s PyTorch, 53.6 s TensorFlow, 58.4 s JAX; a cold torch.compile (no Inductor cache yet)
# can take 10-25 s for one cell and stop it, as can JAX's eager CNN (about 220 small compilations)


ALL_DEPLOY = ["server", "onnx", "mobile", "microcontroller", "browser"]


def deploy_targets_for(spec: ProjectSpec) -> list[str]:
    """Deployment checks a spec implies: one per kind of target, plus ONNX (the portable route)."""
    kinds = {DEPLOY_OF_TARGET[t.kind.value] for t in spec.deployment.targets}
    return [d for d in ALL_DEPLOY if d in kinds or (d == "onnx" and kinds)]


def workloads_for(spec: ProjectSpec) -> list[str]:
    """The probe workloads closest to the spec's model family."""
    return list(FAMILY_WORKLOADS[spec.task.model_family])


def budget_of(value: str) -> tuple[float, int]:
    """``quick``, ``full`` or a number of seconds per framework -> (seconds per round, rounds)."""
    if value in TIERS:
        return TIERS[value]
    try:
        seconds = float(value)
    except ValueError:
        raise AdvisorError(f"budget must be quick, full or seconds, not '{value}'", field="--budget") from None
    if not 5 <= seconds <= 3600:
        raise AdvisorError("budget must be between 5 and 3600 seconds", field="--budget")
    return seconds, 1


ALL_FRAMEWORKS = ("pytorch", "tensorflow", "jax")  # probed by default (a spec's exclude_frameworks drops one)


def order(frameworks: list[str], rounds: int) -> list[str]:
    """A, B, C for one round; A, B, C, C, B, A for two (the mirrored order cancels linear drift)."""
    sequence: list[str] = []
    for index in range(rounds):
        sequence += frameworks if index % 2 == 0 else list(reversed(frameworks))
    return sequence


def check_device(device: str) -> None:
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", device):
        raise AdvisorError(f"device must be auto, cpu or cuda:N, not '{device}'", field="--device")


def frameworks_for(spec: ProjectSpec | None, frameworks: list[str] | None) -> list[str]:
    """The frameworks asked for, else every one the spec does not exclude."""
    excluded = set(spec.constraints.exclude_frameworks) if spec is not None else set()
    return frameworks or [fw for fw in ALL_FRAMEWORKS if fw not in excluded]


def settings(
    *,
    spec: ProjectSpec | None = None,
    frameworks: list[str] | None = None,
    workloads: list[str] | None = None,
    modes: list[str] | None = None,
    device: str = "auto",
    precision: str = "fp32",
    budget: str = "quick",
    threads: int | None = None,
    deploy: list[str] | None = None,
    model: OwnModel | None = None,
) -> ProbeSettings:
    """A probe run's settings: the spec's workloads unless given, the same CPU threads for everyone.

    ``model`` is the team's own model as asked for (the spec's ``probe`` section or ``--model``); it is
    resolved here, without importing it, and measured in each runtime it runs in that is not excluded.
    """
    check_device(device)
    if precision not in ("fp32", "tf32", "bf16", "fp16"):
        raise AdvisorError(f"precision must be fp32, tf32, bf16 or fp16, not '{precision}'", field="--precision")
    chosen = frameworks_for(spec, frameworks)
    seconds, rounds = budget_of(budget)
    own = _model_settings(model, chosen, MODEL_TIERS.get(budget, seconds)) if model is not None else None
    if workloads is None and own is not None and model is not None and model.alone:
        workloads = []  # `advisor probe --model`: the own model only, unless workloads are named
    return ProbeSettings(
        frameworks=chosen,
        workloads=(  # type: ignore[arg-type]
            workloads if workloads is not None else (workloads_for(spec) if spec else ALL_WORKLOADS)
        ),
        modes=modes or ["eager", "compiled"],  # type: ignore[arg-type]
        device=device,
        precision=precision,  # type: ignore[arg-type]
        threads=threads or cpu_count(),
        budget=budget,
        budget_s_per_framework=seconds,
        rounds=rounds,
        order=order(chosen, rounds),
        deploy=deploy or [],  # type: ignore[arg-type]
        model=own,
    )


MODEL_TIERS = {"quick": 60.0, "full": 120.0}  # the own model's budget per child and round (two modes)
# quick on this project's 2-core CPU, imports and the deployment checks included: see bench/own_model_probe.py


@dataclass(frozen=True)
class OwnModel:
    """The own model as the user asked for it: the reference, the folder it is relative to, and options."""

    ref: str
    base: Path
    framework: Framework = "auto"
    dynamic_dims: list[int] | None = None
    field: str = "--model"
    spec_path: str | None = None
    alone: bool = False  # no synthetic workloads unless named (advisor probe --model)


def own_model_of(spec: ProjectSpec | None, spec_path: Path | None) -> OwnModel | None:
    """The spec's ``probe.model``, relative to the spec's folder (None when the spec names none)."""
    if spec is None or spec.probe.model is None:
        return None
    folder = (spec_path.parent if spec_path is not None else Path.cwd()).resolve()
    return OwnModel(
        ref=spec.probe.model,
        base=folder,
        framework=spec.probe.framework,
        dynamic_dims=spec.probe.dynamic_dims,
        field="probe.model",
        spec_path=str(spec_path) if spec_path is not None else None,
    )


def _model_settings(model: OwnModel, frameworks: list[str], budget_s: float) -> ModelSettings:
    found = resolve(
        model.ref,
        model.base,
        framework=model.framework,
        dynamic_dims=model.dynamic_dims,
        field=model.field,
        spec_path=model.spec_path,
    )
    runtimes = [r for r in found.runtimes if r == "onnxruntime" or r in frameworks]
    if not runtimes:
        raise AdvisorError(
            f"{model.ref}: a {found.described} runs in {', '.join(found.runtimes)}, which this run excludes",
            path=model.spec_path,
            field=model.field,
        )
    return ModelSettings(
        source=found.source, described=found.described, runtimes=runtimes, budget_s=budget_s, why=found.why
    )


SCALE_TIERS = {"quick": (90.0, 15), "full": (240.0, 40)}  # seconds per framework (both launches), timed steps
SCALE_WORKLOADS = ("transformer", "cnn")


@dataclass(frozen=True)
class ScalePlan:
    """A scaling probe as asked for: its settings, this node's place in the cluster, the frameworks."""

    settings: ScaleSettings
    cluster: Cluster
    frameworks: list[str]


def scale_plan(
    *,
    workers: int,
    spec: ProjectSpec | None = None,
    frameworks: list[str] | None = None,
    workloads: list[str] | None = None,
    device: str = "auto",
    budget: str = "quick",
    threads: int | None = None,
    hosts: list[str] | None = None,
    node_rank: int = 0,
) -> ScalePlan:
    """``advisor probe --scale N``: N workers in all (spread evenly over ``hosts``), each with an equal
    share of this host's CPU threads; the transformer and the CNN unless workloads are named."""
    if not 2 <= workers <= 4096:
        raise AdvisorError("the number of workers must be between 2 and 4096", field="--scale")
    named_hosts = tuple(hosts or ["127.0.0.1"])
    if workers % len(named_hosts):
        raise AdvisorError(f"{workers} workers do not spread evenly over {len(named_hosts)} hosts", field="--scale")
    if not 0 <= node_rank < len(named_hosts):
        raise AdvisorError(f"the node rank must be between 0 and {len(named_hosts) - 1}", field="--node-rank")
    check_device(device)
    chosen_workloads = [w for w in (workloads or SCALE_WORKLOADS) if w in SCALE_WORKLOADS]
    if workloads and len(chosen_workloads) < len(workloads):
        raise AdvisorError("the scaling probe runs the transformer and the CNN", field="--workload")
    chosen = frameworks_for(spec, frameworks)
    seconds, steps = SCALE_TIERS.get(budget, (budget_of(budget)[0], 20))
    per_node = workers // len(named_hosts)
    on_gpu = device.startswith("cuda") or (device == "auto" and gpu_present())
    settings = ScaleSettings(
        workers=workers,
        nodes=len(named_hosts),
        node_rank=node_rank,
        device="cuda" if on_gpu else "cpu",
        threads_per_worker=threads or max(1, cpu_count() // per_node),
        workloads=chosen_workloads,  # type: ignore[arg-type]
        strategies=["data_parallel", "sharded"],
        steps=steps,
        check_steps=3,
        budget_s_per_framework=seconds,
    )
    return ScalePlan(settings, Cluster(named_hosts, node_rank, per_node), chosen)


def gpu_present() -> bool:
    from advisor.probing.child.nvml import open_gpu

    return open_gpu(0) is not None


def spec_wants_scaling(spec: ProjectSpec) -> bool:
    """A spec that trains on several GPUs or machines: ``recommend --probe`` adds the scaling probe."""
    return bool(spec.infrastructure.multi_gpu or spec.infrastructure.multi_node)


def default_workers(device: str) -> int:
    """Workers of the scaling probe a spec asks for: every GPU of this machine (at least 2), else 2 CPU workers."""
    from advisor.probing.child.nvml import gpu_count

    return max(2, gpu_count()) if device.startswith("cuda") or (device == "auto" and gpu_present()) else 2
