"""The PyTorch probe: model parity with the neutral shapes, the shared runner in-process, and the real child.

Opt-in with the ``torch`` marker; skipped where PyTorch is not installed. Budgets are small: the MLP
cells stop at the runner's sample caps long before their budget, so a generous budget costs little
time and only leaves room for a cold ``torch.compile``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from advisor.evidence.protocol import CellResult, ProbeRequest, ProbeResult
from advisor.probing.child.measure import run_cells
from advisor.probing.child.workloads import WORKLOADS, expected_params
from advisor.probing.launcher import run_probe
from advisor.probing.pytorch.probe import TorchBackend  # imports torch only when a backend is made

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

SETTING_KEYS = {
    "threads",
    "interop_threads",
    "device",
    "precision",
    "tf32_matmul",
    "tf32_cudnn",
    "autocast_dtype",
    "cudnn_benchmark",
    "layout",
    "optimizer",
    "compile",
    "framework_version",
    "lstm_redundant_bias_params",
}


def _request(
    workloads: list[str], modes: list[str], budget_s: float, threads: int = 1, **extra: object
) -> ProbeRequest:
    """One thread unless a test needs more: a second OpenMP thread that loses its core to another
    process (a shared CI runner) can slow small steps tenfold and push late cells past their slice."""
    return ProbeRequest.model_validate(
        {
            "framework": "pytorch",
            "workloads": workloads,
            "modes": modes,
            "device": "cpu",
            "threads": threads,
            "budget_s": budget_s,
            **extra,
        }
    )


@pytest.fixture(scope="module")
def configured() -> tuple[TorchBackend, dict[str, Any]]:
    backend = TorchBackend()
    return backend, backend.setup(_request(list(WORKLOADS), ["eager"], 60))


@pytest.fixture
def backend(configured: tuple[TorchBackend, dict[str, Any]]) -> TorchBackend:
    return configured[0]


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_parameter_counts_match_the_neutral_shapes(backend: TorchBackend, name: str) -> None:
    cell = backend.build(WORKLOADS[name], "eager")
    assert cell.params == expected_params(name)


def test_lstm_reports_its_redundant_bias(configured: tuple[TorchBackend, dict[str, Any]]) -> None:
    backend, settings = configured
    cell = backend.build(WORKLOADS["lstm"], "eager")
    trainable = sum(p.numel() for p in cell.model.parameters() if p.requires_grad)
    assert trainable - cell.params == settings["lstm_redundant_bias_params"] == 512


def test_settings_record_every_choice_and_tf32_does_not_apply_on_cpu() -> None:
    settings = TorchBackend().setup(_request(["mlp"], ["eager"], 60, precision="tf32"))
    assert settings.keys() >= SETTING_KEYS
    assert settings["precision"] == "fp32" and "tf32_note" in settings
    assert settings["tf32_matmul"] is False and settings["tf32_cudnn"] is False
    assert settings["optimizer"] == "SGD(lr=0.01, momentum=0.9)" and settings["layout"] == "NCHW"


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a machine without CUDA")
def test_an_explicit_gpu_without_cuda_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="sees no CUDA GPU"):
        TorchBackend().setup(_request(["mlp"], ["eager"], 60, device="cuda:0"))


def test_out_of_memory_errors_are_recognised(backend: TorchBackend) -> None:
    assert backend.is_oom(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert not backend.is_oom(RuntimeError("shape mismatch"))


def test_every_workload_runs_in_process_through_the_shared_runner() -> None:
    request = _request(list(WORKLOADS), ["eager"], 14)
    backend = TorchBackend()
    backend.setup(request)
    cells = run_cells(backend, request, time.perf_counter(), "", lambda *args: None)
    assert [c.workload for c in cells] == list(WORKLOADS)
    for cell in cells:
        assert cell.status == "ok", cell.message
        CellResult.model_validate(cell.model_dump())
        assert cell.train_step is not None and cell.train_step.median > 0
        assert cell.infer_b1 is not None and cell.infer_b1.median > 0
        assert cell.infer_throughput_samples_per_s and cell.infer_throughput_samples_per_s > 0
        assert cell.peak_memory_bytes and cell.peak_memory_bytes > 0


def test_the_child_measures_eager_and_compiled() -> None:
    # A cold torch.compile of the MLP's first training step took 24 s on a 2-core CPU (3.5 s with a warm
    # Inductor cache); 75 s leaves the compiled cell about 45 s for it (70 % of its slice).
    result = run_probe(_request(["mlp"], ["eager", "compiled"], 75, threads=2))
    assert result.status == "ok", (result.message, result.traceback, [c.message for c in result.cells])
    assert result.environment is not None and result.environment.framework_version == torch.__version__
    assert result.environment.device == "cpu" and not result.environment.gpu_visible
    assert result.settings.keys() >= SETTING_KEYS | {"inductor_cache_preexisting", "dynamo_allow_rnn"}
    assert result.settings["threads"] == 2 and result.settings["interop_threads"] == 1
    eager, compiled = result.cells
    assert (eager.mode, compiled.mode) == ("eager", "compiled")
    assert eager.params == compiled.params == expected_params("mlp")
    assert compiled.first_step_s and eager.first_step_s and compiled.first_step_s > eager.first_step_s


def _first_cell_kept(result: ProbeResult, status: str) -> None:
    assert result.status == status, (result.message, result.traceback)
    assert result.environment is not None
    assert [(c.workload, c.status) for c in result.cells] == [("mlp", "ok"), ("lstm", "not_run")]


def test_a_crashing_child_keeps_the_finished_cell() -> None:
    result = run_probe(_request(["mlp", "lstm"], ["eager"], 6), extra_env={"ADVISOR_PROBE_FAULT": "crash"})
    _first_cell_kept(result, "crashed")


def test_a_hanging_child_is_killed_and_keeps_the_finished_cell() -> None:
    result = run_probe(_request(["mlp", "lstm"], ["eager"], 4), timeout_s=15, extra_env={"ADVISOR_PROBE_FAULT": "hang"})
    _first_cell_kept(result, "timeout")


def test_an_out_of_memory_cell_does_not_lose_the_others() -> None:
    result = run_probe(_request(["mlp", "cnn"], ["eager"], 6), extra_env={"ADVISOR_PROBE_FAULT": "oom:cnn"})
    assert result.status == "partial"
    assert {c.workload: c.status for c in result.cells} == {"mlp": "ok", "cnn": "oom"}
