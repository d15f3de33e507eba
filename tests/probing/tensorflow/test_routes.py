"""TensorFlow's deployment routes for real: SavedModel, ONNX, LiteRT float and int8, and a failing op."""

from __future__ import annotations

import pytest

from advisor.probing.launcher import run_probe
from advisor.probing.protocol import ProbeRequest

pytestmark = pytest.mark.tensorflow


def test_tensorflow_routes_convert_and_match_the_source_model() -> None:
    pytest.importorskip("tensorflow")
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tf2onnx")
    request = ProbeRequest(
        framework="tensorflow",
        workloads=["cnn", "lstm"],
        modes=[],
        device="cpu",
        threads=1,
        budget_s=5,
        deploy=["server", "onnx", "mobile", "microcontroller", "browser"],
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
