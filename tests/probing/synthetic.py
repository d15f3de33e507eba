"""Synthetic probe runs for tests that must not depend on installed frameworks or timing noise."""

from __future__ import annotations

import random

from advisor.evidence.probe_run import ProbeRun, ProbeSettings
from advisor.evidence.protocol import CellResult, DeployCheck, Environment, ProbeResult
from advisor.evidence.stats import summarize
from advisor.probing.run import compare


def cell(workload: str, mode: str, step_s: float, b1_s: float, seed: int) -> CellResult:
    rng = random.Random(seed)
    train = [step_s * (1 + rng.uniform(-0.03, 0.03)) for _ in range(30)]
    b1 = [b1_s * (1 + rng.uniform(-0.03, 0.03)) for _ in range(50)]
    return CellResult(
        workload=workload,
        mode=mode,
        status="ok",
        params=1000,
        batch_size=32,  # type: ignore[arg-type]
        large_batch_size=256,
        first_step_s=step_s * 20,
        train_step=summarize(train),
        train_step_samples=train,
        train_samples_per_s=32 / step_s,
        infer_b1=summarize(b1),
        infer_b1_samples=b1,
        infer_throughput_samples_per_s=256 / (b1_s * 20),
        peak_memory_bytes=300 * 2**20,
        memory_source="process peak RSS",
        wall_s=1.0,
    )


def environment(gpu_present: bool = False, gpu_visible: bool = False) -> Environment:
    return Environment(
        os="Linux",
        python="3.11",
        framework_version="x",
        device="cpu",
        device_name="Test CPU",
        gpu_visible=gpu_visible,
        gpu_present=gpu_present,
        cpu_count=2,
    )


def run(
    torch_step: float = 0.010,
    tf_step: float = 0.020,
    torch_b1: float = 0.002,
    tf_b1: float = 0.002,
    tf_env: Environment | None = None,
    workload: str = "cnn",
    jax_step: float | None = None,
    jax_b1: float = 0.002,
) -> ProbeRun:
    """PyTorch and TensorFlow on one eager cell; JAX too when ``jax_step`` is given."""

    def result(framework: str, step: float, b1: float, seed: int, wall_s: float, env: Environment) -> ProbeResult:
        return ProbeResult(
            framework=framework,  # type: ignore[arg-type]
            status="ok",
            environment=env,
            settings={"threads": 2, "precision": "fp32"},
            cells=[cell(workload, "eager", step, b1, seed)],
            wall_s=wall_s,
            budget_s=60,
        )

    results = [
        result("pytorch", torch_step, torch_b1, 1, 20, environment()),
        result("tensorflow", tf_step, tf_b1, 2, 25, tf_env or environment()),
    ]
    if jax_step is not None:
        results.append(result("jax", jax_step, jax_b1, 3, 22, environment()))
    frameworks = [r.framework for r in results]
    settings = ProbeSettings(
        frameworks=frameworks,
        workloads=[workload],
        modes=["eager"],  # type: ignore[list-item]
        device="cpu",
        precision="fp32",
        threads=2,
        budget="quick",
        budget_s_per_framework=60,
        rounds=1,
        order=frameworks,
    )
    return ProbeRun(settings=settings, results=results, comparisons=compare(results), wall_s=45)


def with_deploy_checks(run: ProbeRun, checks: dict[str, list[DeployCheck]]) -> ProbeRun:
    """``run`` with deployment checks attached per framework (frameworks not named get none)."""
    results = [r.model_copy(update={"deploy_checks": checks.get(r.framework, [])}) for r in run.results]
    return run.model_copy(update={"results": results})


def passing_check(
    target: str,
    route: str,
    *,
    workload: str = "cnn",
    tolerance: str = "fp32",
    artifact_bytes: int | None = None,
    convert_s: float | None = None,
) -> DeployCheck:
    """A deployment check that converted, loaded back and matched its source exactly."""
    return DeployCheck(
        target=target,
        workload=workload,
        route=route,
        status="ok",
        max_abs_error=0.0,
        max_rel_error=0.0,
        tolerance=tolerance,
        artifact_bytes=artifact_bytes,
        convert_s=convert_s,
    )
