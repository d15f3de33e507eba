"""The JAX probe: parameter counts against the neutral shapes, every cell through the shared runner
in-process, and the real child through the launcher.

Opt-in with the ``jax`` marker; skipped where JAX is not installed. JAX's un-jitted ("eager") mode
compiles each operation the first time it sees its shapes (about 220 small compilations for the CNN's
first training step, 3-11 s on a loaded 2-core CPU), so the in-process run accepts ``budget_exceeded``
for cells whose cold first step is over their share of a test-sized budget, as the TensorFlow test does.
The in-process tests use every allowed CPU, so the thread limit (an affinity mask) never pins pytest.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from advisor.evidence.protocol import ProbeRequest
from advisor.probing.child.measure import run_cells
from advisor.probing.child.workloads import WORKLOADS, expected_params
from advisor.probing.launcher import run_probe

jax = pytest.importorskip("jax")

from advisor.probing.jax.probe import JaxBackend  # noqa: E402

pytestmark = pytest.mark.jax

ALL = list(WORKLOADS)
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
SETTING_KEYS = {
    "threads",
    "threads_applied",
    "device",
    "precision",
    "jax_default_matmul_precision",
    "compute_dtype",
    "layout",
    "optimizer",
    "compile",
    "eager",
    "donated_buffers",
    "cpu_async_dispatch",
    "XLA_FLAGS",
    "XLA_PYTHON_CLIENT_PREALLOCATE",
    "memory_counter",
    "framework_version",
    "jaxlib_version",
}


def _request(**overrides: Any) -> ProbeRequest:
    values: dict[str, Any] = {
        "framework": "jax",
        "workloads": ALL,
        "modes": ["eager", "compiled"],
        "device": "cpu",
        "threads": CPUS,
        "budget_s": 30.0,
    }
    return ProbeRequest(**{**values, **overrides})


@pytest.fixture(scope="module")
def configured() -> tuple[JaxBackend, dict[str, Any]]:
    backend = JaxBackend()
    return backend, backend.setup(_request())


@pytest.mark.parametrize("name", ALL)
def test_parameter_counts_match_the_neutral_shapes(name: str) -> None:
    """Counted on the arrays ``init`` produces; the cells report the same count."""
    from advisor.probing.jax import models

    params, _ = models.init(WORKLOADS[name], 0)
    assert models.count_params(params) == expected_params(name)


def test_settings_record_every_choice(configured: tuple[JaxBackend, dict[str, Any]]) -> None:
    settings = configured[1]
    assert settings.keys() >= SETTING_KEYS
    assert settings["jax_default_matmul_precision"] == "highest" and settings["precision"] == "fp32"
    assert settings["layout"] == "NHWC (channels_last)" and settings["device"] == "cpu:0"
    assert "not reported on cpu" in settings["memory_counter"]


def test_out_of_memory_errors_are_recognised(configured: tuple[JaxBackend, dict[str, Any]]) -> None:
    backend = configured[0]
    assert backend.is_oom(RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 4.0GiB"))
    assert not backend.is_oom(RuntimeError("shape mismatch"))


def test_every_cell_runs_in_process(configured: tuple[JaxBackend, dict[str, Any]]) -> None:
    backend = configured[0]
    # 40 s gives each of the 8 cells a slice of about 4.7 s, so the MLP's cold eager step (2.3-2.6 s on
    # this 2-core CPU, against a compile limit of 0.7 x slice) fits; at 30 s it sat on the limit.
    request = _request(budget_s=40.0)
    started = time.perf_counter()
    cells = run_cells(backend, request, started, "", lambda *args: None)
    assert time.perf_counter() - started < request.budget_s + 25
    assert [(c.workload, c.mode) for c in cells] == [(w, m) for w in ALL for m in ("eager", "compiled")]
    for cell in cells:
        if cell.status == "not_run":
            assert "budget" in cell.message
            continue
        assert cell.params == expected_params(cell.workload), cell
        assert cell.first_step_s is not None and cell.first_step_s > 0
        if cell.status == "budget_exceeded":
            assert "compilation" in cell.message or "time budget ran out" in cell.message, cell
            continue
        assert cell.status == "ok", cell.message
        assert cell.train_step is not None and cell.train_step.median > 0
        assert cell.infer_b1 is not None and cell.infer_throughput_samples_per_s
        assert cell.memory_source and cell.peak_memory_bytes
    statuses = {(c.workload, c.mode): c.status for c in cells}
    assert statuses[("mlp", "compiled")] == "ok"  # cold jit of the MLP step: about 0.5 s
    assert any(status == "ok" for (_, mode), status in statuses.items() if mode == "eager"), statuses


def test_the_child_measures_eager_and_compiled_on_one_thread() -> None:
    result = run_probe(_request(workloads=["mlp"], threads=1, budget_s=14.0), timeout_s=60)
    assert result.status == "ok", (result.message, result.traceback, [c.message for c in result.cells])
    assert result.environment is not None and result.environment.framework_version == jax.__version__
    assert result.environment.device == "cpu:0" and not result.environment.gpu_visible
    assert result.settings.keys() >= SETTING_KEYS
    assert result.settings["threads"] == 1
    if CPUS > 1:
        assert "affinity set to" in str(result.settings["threads_applied"])
    eager, compiled = result.cells
    assert (eager.mode, compiled.mode) == ("eager", "compiled")
    assert eager.params == compiled.params == expected_params("mlp")
    assert compiled.train_step is not None and eager.train_step is not None
    assert compiled.train_step.median < eager.train_step.median  # one fused program against op-by-op dispatch


def test_an_explicit_gpu_without_one_is_a_clear_error() -> None:
    if JaxBackend()._gpus():
        pytest.skip("JAX sees a GPU here")
    result = run_probe(_request(workloads=["mlp"], device="cuda:0", budget_s=10.0), timeout_s=60)
    assert result.status == "error" and "JAX sees 0 GPU" in result.message
