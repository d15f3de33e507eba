"""The TensorFlow/Keras probe: model parity with the shared shapes, the measurement loop in-process,
and the real child process through the launcher (including a GPU request it cannot honour)."""

from __future__ import annotations

import time
from typing import Any

import pytest

pytest.importorskip("tensorflow")

from advisor.evidence.protocol import ProbeRequest
from advisor.probing.child.measure import run_cells
from advisor.probing.child.workloads import WORKLOADS, expected_params
from advisor.probing.launcher import run_probe
from advisor.probing.tensorflow.probe import TensorFlowBackend, resolve_device

pytestmark = pytest.mark.tensorflow

ALL = ["mlp", "cnn", "transformer", "lstm"]
SETTING_KEYS = {
    "threads",
    "inter_op_threads",
    "device",
    "precision",
    "tf32",
    "mixed_precision_policy",
    "memory_growth",
    "layout",
    "optimizer",
    "compile",
    "jit_compile_explicit",
    "lstm_cudnn_eligible",
    "TF_ENABLE_ONEDNN_OPTS",
    "tensorflow_version",
    "keras_version",
    "keras_backend",
}


def _request(**overrides: Any) -> ProbeRequest:
    values: dict[str, Any] = {
        "framework": "tensorflow",
        "workloads": ALL,
        "modes": ["eager", "compiled"],
        "device": "cpu",
        "threads": 2,
        "budget_s": 30.0,
    }
    return ProbeRequest(**{**values, **overrides})


@pytest.fixture(scope="module")
def backend() -> TensorFlowBackend:
    """One backend per module: thread counts can only be set once per TensorFlow process."""
    tf_backend = TensorFlowBackend()
    tf_backend.setup(_request())
    return tf_backend


@pytest.mark.parametrize("name", ALL)
def test_parameter_counts_match_the_shared_shapes(backend: TensorFlowBackend, name: str) -> None:
    assert backend.build(WORKLOADS[name], "eager").params == expected_params(name)


def test_device_resolution() -> None:
    assert resolve_device("cpu", 1) == "/CPU:0"
    assert resolve_device("auto", 0) == "/CPU:0"
    assert resolve_device("auto", 2) == "/GPU:0"
    assert resolve_device("cuda:1", 2) == "/GPU:1"
    with pytest.raises(RuntimeError, match="TensorFlow sees no GPU"):
        resolve_device("cuda:0", 0)
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("tpu", 0)


def test_every_cell_runs_in_process(backend: TensorFlowBackend) -> None:
    """All workloads, eager and XLA, through the shared runner.

    On this kind of 2-core CPU an XLA compile of the CNN or the Transformer takes 2-5 s, over its
    cell's share of a test-sized budget: the runner must then say ``budget_exceeded`` (the first,
    compiled step did run, or the budget ran out inside a cell) or ``not_run`` for cells the budget no
    longer covers, never hang or fail.
    """
    request = _request(budget_s=32.0)
    started = time.perf_counter()
    cells = run_cells(backend, request, started, "", lambda *args: None)
    assert time.perf_counter() - started < request.budget_s + 20
    assert [(c.workload, c.mode) for c in cells] == [(w, m) for w in ALL for m in ("eager", "compiled")]
    for cell in cells:
        if cell.status == "not_run":
            assert "budget" in cell.message
            continue
        assert cell.params == expected_params(cell.workload), cell
        assert cell.first_step_s is not None and cell.first_step_s > 0
        if cell.status == "budget_exceeded":  # a compile over the cell's share, or the budget's end reached
            compile_too_long = cell.mode == "compiled" and "compilation" in cell.message
            assert compile_too_long or "time budget ran out" in cell.message, cell
            continue
        assert cell.status == "ok", cell.message
        assert cell.train_step is not None and cell.train_step.median > 0
        assert cell.infer_b1 is not None and cell.infer_throughput_samples_per_s
        assert cell.memory_source and cell.peak_memory_bytes
    assert [c.status for c in cells[:2]] == ["ok", "ok"]  # the MLP compiles in about a second


def test_child_process_reports_cells_environment_and_settings() -> None:
    request = _request(workloads=["mlp"], budget_s=12.0)
    result = run_probe(request, timeout_s=60)
    assert result.status == "ok", (result.message, result.traceback)
    assert [c.status for c in result.cells] == ["ok", "ok"]
    assert result.environment is not None
    assert result.environment.device == "/CPU:0" and result.environment.cpu_count >= 1
    assert result.settings.keys() >= SETTING_KEYS
    assert result.settings["threads"] == 2 and result.settings["inter_op_threads"] == 1
    assert result.settings["keras_backend"] == "tensorflow"
    assert result.settings["compile"] == "tf.function(jit_compile=True)"


def test_gpu_request_without_a_visible_gpu_is_an_error() -> None:
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("TensorFlow sees a GPU here")
    started = time.perf_counter()
    result = run_probe(_request(workloads=["mlp"], device="cuda:0", budget_s=20.0), timeout_s=60)
    assert result.status == "error"
    assert "TensorFlow sees no GPU" in result.message
    assert time.perf_counter() - started < 60
