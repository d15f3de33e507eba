"""A team's own Keras 3 model: the example factory measured unchanged on two backends (a comparison with
a confidence interval in the report) and put through every installed TensorFlow route; a model with an
op LiteRT lacks (the converter's message reaches the report); a saved .keras file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.api import load_evidence, recommend
from advisor.cli.commands import app
from advisor.evidence.probe_run import ProbeRun
from advisor.evidence.protocol import ModelSource, ProbeRequest
from advisor.probing.launcher import run_probe
from advisor.report import html, markdown, terminal
from tests.conftest import EXAMPLES, ROOT

pytestmark = [pytest.mark.tensorflow, pytest.mark.jax]


@pytest.fixture(scope="module")
def keras_run(tmp_path_factory: pytest.TempPathFactory) -> ProbeRun:
    """One run for the module: keras_small on the TensorFlow and JAX backends, every route checked."""
    pytest.importorskip("tensorflow")
    pytest.importorskip("jax")
    saved = tmp_path_factory.mktemp("keras") / "run.json"
    args = ["probe", "--model", "examples/models/keras_small.py:make", "-F", "tensorflow", "-F", "jax"]
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, [*args, "--mode", "compiled", "--budget", "18", "-o", str(saved)])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return load_evidence(saved)


def test_the_same_keras_model_runs_on_each_backend(keras_run: ProbeRun) -> None:
    assert keras_run.model is not None and not keras_run.results  # --model alone: no synthetic workload
    by_framework = {r.framework: r for r in keras_run.model.results}
    assert set(by_framework) == {"tensorflow", "jax"}
    for framework, backend in (("tensorflow", "tensorflow"), ("jax", "jax")):
        result = by_framework[framework]
        assert result.settings["keras_backend"] == backend
        (cell,) = result.cells
        assert cell.workload == "model" and cell.status == "ok", (framework, cell.message)
        assert cell.params == 5466 and cell.train_step is not None and cell.infer_b1 is not None


def test_the_backends_are_compared_with_an_interval_in_the_report(keras_run: ProbeRun) -> None:
    assert keras_run.model is not None
    pairs = {(c.a, c.b, c.metric) for c in keras_run.model.comparisons}
    assert pairs == {("tensorflow", "jax", "train_step_time"), ("tensorflow", "jax", "infer_b1_latency")}
    for c in keras_run.model.comparisons:
        assert c.workload == "model" and c.low <= c.ratio <= c.high
    report = recommend(EXAMPLES / "keras-enterprise-forecasting.yaml", evidence=keras_run, draws=200)
    text = markdown.render(report)
    own = text[text.index("## Your model") :]
    assert "model (compiled): training step:" in own and "95 % interval" in own
    assert "## Measured evidence" not in text  # nothing synthetic ran, so no empty table either
    assert "own-model" in html.render(report) and "Your model" in terminal.render(report, width=160)


def test_every_installed_tensorflow_route_checks_the_keras_model(keras_run: ProbeRun) -> None:
    assert keras_run.model is not None
    tf_result = next(r for r in keras_run.model.results if r.framework == "tensorflow")
    checks = {c.target: c for c in tf_result.deploy_checks}
    assert set(checks) == {"server", "onnx", "mobile", "microcontroller", "browser"}
    for target in ("server", "onnx", "mobile"):
        assert checks[target].status == "ok" and checks[target].max_abs_error is not None, checks[target].message
    assert "dynamic axes 0" in checks["server"].route and "dynamic axes 0" in checks["onnx"].route
    assert checks["microcontroller"].status == "ok" and "int8" in (checks["microcontroller"].tolerance or "")
    assert checks["browser"].status == "not_checked"
    jax_result = next(r for r in keras_run.model.results if r.framework == "jax")
    assert not jax_result.deploy_checks  # the routes run once, on the TensorFlow backend


SVD = """\
import keras
import numpy as np


def make():
    inputs = keras.Input((4, 4))
    outputs = keras.layers.Lambda(lambda t: keras.ops.svd(t, compute_uv=False))(keras.layers.Dense(4)(inputs))
    return keras.Model(inputs, outputs), np.ones((2, 4, 4), dtype="float32")
"""


def test_an_op_litert_lacks_is_named_from_the_converter(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    (tmp_path / "svd.py").write_text(SVD, encoding="utf-8")
    source = ModelSource(ref="svd.py:make", kind="keras_factory", path=str(tmp_path / "svd.py"), function="make")
    request = ProbeRequest(
        framework="tensorflow",
        workloads=[],
        modes=[],
        device="cpu",
        threads=1,
        budget_s=10,
        deploy=["mobile"],
        model=source,
    )
    result = run_probe(request)
    assert result.status == "ok", result.message
    (mobile,) = result.deploy_checks
    assert mobile.status == "failed" and "first unsupported op: tf.Svd" in mobile.message, mobile.message


def test_a_saved_keras_file_is_probed_with_made_up_inputs(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    path = tmp_path / "small.keras"
    # Saved in a child of its own: building a Keras model here would start TensorFlow in the test process,
    # and the in-process TensorFlow tests must still be able to set its thread pools.
    save = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('keras_small_example', sys.argv[1])\n"
        "example = importlib.util.module_from_spec(spec); spec.loader.exec_module(example)\n"
        "example.make()['model'].save(sys.argv[2])\n"
        "import keras; assert keras.saving.load_model(sys.argv[2]).count_params() > 0\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, "-c", save, str(EXAMPLES / "models" / "keras_small.py"), str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    source = ModelSource(ref="small.keras", kind="keras_file", path=str(path))
    request = ProbeRequest(
        framework="tensorflow", workloads=[], modes=["eager"], device="cpu", threads=1, budget_s=12, model=source
    )
    result = run_probe(request)
    assert result.status == "ok", [c.message for c in result.cells]
    (cell,) = result.cells
    assert cell.params == 5466 and cell.batch_size == 8 and cell.train_step is not None
    assert (
        result.settings["own_model_inputs"] == "float32[8, 64, 64, 3] (made up: standard normal floats, zero integers)"
    )
