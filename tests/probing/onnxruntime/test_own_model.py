"""An .onnx model of the team's, measured in onnxruntime as a baseline (no candidate framework)."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.evidence.protocol import ModelSource, ProbeRequest
from advisor.probing.launcher import run_probe


def test_an_onnx_file_is_measured_for_inference_in_onnxruntime(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    numpy = pytest.importorskip("numpy")
    helper = onnx.helper
    weights = onnx.numpy_helper.from_array(numpy.ones((16, 4), dtype=numpy.float32), name="w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "linear",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["batch", 4])],
        [weights],
    )
    path = tmp_path / "linear.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    source = ModelSource(ref="linear.onnx", kind="onnx", path=str(path))
    request = ProbeRequest(
        framework="onnxruntime",
        workloads=[],
        modes=["eager", "compiled"],
        device="cpu",
        threads=1,
        budget_s=5,
        deploy=["onnx"],
        model=source,
    )
    result = run_probe(request)
    assert result.framework == "onnxruntime" and result.status == "ok", result.message
    assert [c.mode for c in result.cells] == ["eager", "compiled"]
    for cell in result.cells:
        assert cell.status == "ok" and cell.train_step is None and cell.params == 64
        assert cell.batch_size == 8 and cell.large_batch_size == 64  # made-up inputs: batch 8 on the symbolic axis
    assert [c.status for c in result.deploy_checks] == ["not_checked"]  # the file already is the artifact
    assert "baseline" in str(result.settings["own_model_baseline"])
