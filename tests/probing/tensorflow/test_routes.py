"""TensorFlow's deployment routes for real: SavedModel, ONNX, LiteRT float and int8, and a failing op; the
same table, in the same child, on the probe workloads and on a team's SavedModel (its own rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from advisor.evidence.protocol import ModelSource, ProbeRequest
from advisor.probing.launcher import run_probe

pytestmark = pytest.mark.tensorflow


def saved_model(tf: Any, path: Path) -> Path:
    """A small SavedModel with a serving signature (float inputs with a batch axis), written by TensorFlow itself."""

    class Dense(tf.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.kernel = tf.Variable(tf.random.stateless_normal((16, 4), seed=(0, 0)))

        @tf.function(input_signature=[tf.TensorSpec([None, 16], tf.float32)])
        def serve(self, x: Any) -> Any:
            return {"output_0": tf.nn.relu(x @ self.kernel)}

    module = Dense()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
    return path


def test_tensorflow_routes_convert_and_match_the_source_model(tmp_path: Path) -> None:
    tf = pytest.importorskip("tensorflow")
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tf2onnx")
    saved = saved_model(tf, tmp_path / "saved_model")
    request = ProbeRequest(
        framework="tensorflow",
        workloads=["cnn", "lstm"],
        modes=[],
        device="cpu",
        threads=1,
        budget_s=5,
        deploy=["server", "onnx", "mobile", "microcontroller", "browser"],
        model=ModelSource(ref="saved_model", kind="saved_model", path=str(saved)),
    )
    result = run_probe(request, extra_env={"ADVISOR_PROBE_FAULT": "unsupported_op"})
    assert result.status == "ok", result.message
    checks = {(c.workload, c.target, "svd" if "tf.linalg.svd" in c.route else ""): c for c in result.deploy_checks}
    for target in ("server", "onnx", "mobile"):
        cnn = checks[("cnn", target, "")]
        assert cnn.status == "ok" and cnn.max_abs_error is not None and cnn.artifact_bytes, (target, cnn.message)
    int8 = checks[("cnn", "microcontroller", "")]
    assert int8.status == "ok" and "int8" in (int8.tolerance or ""), int8.message
    assert checks[("cnn", "browser", "")].status == "not_checked"
    # the Keras LSTM needs Flex (SELECT_TF_OPS) for LiteRT: the converter's own words are the evidence
    lstm = checks[("lstm", "mobile", "")]
    assert lstm.status == "failed" and "TensorList" in lstm.message
    svd = checks[("cnn", "mobile", "svd")]
    assert svd.status == "failed" and "Svd" in svd.message
    # the SavedModel's own rows: LiteRT from its serving signature, the input itself on the server
    own = {c.target: c for c in result.deploy_checks if c.workload == "model"}
    assert own["server"].status == "not_checked" and own["server"].route == "tf.saved_model.load (the input)"
    assert own["mobile"].status == "ok" and own["mobile"].route.startswith("TFLiteConverter.from_saved_model (float)")
    assert own["microcontroller"].status == "ok" and "int8" in (own["microcontroller"].tolerance or "")
    assert own["onnx"].status == own["browser"].status == "not_checked"
