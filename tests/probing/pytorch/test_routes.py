"""PyTorch's deployment routes for real: torch.export, ONNX through onnxruntime, ExecuTorch."""

from __future__ import annotations

import importlib.util

import pytest

from advisor.evidence.protocol import ProbeRequest
from advisor.probing.launcher import run_probe

pytestmark = pytest.mark.torch


def test_pytorch_routes_convert_and_match_the_source_model() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("onnxruntime")
    request = ProbeRequest(
        framework="pytorch",
        workloads=["mlp"],
        modes=[],
        device="cpu",
        threads=1,
        budget_s=5,
        deploy=["server", "onnx", "mobile", "microcontroller", "browser"],
    )
    result = run_probe(request)
    assert result.status == "ok", result.message
    checks = {c.target: c for c in result.deploy_checks}
    for target in ("server", "onnx"):
        assert checks[target].status == "ok" and checks[target].artifact_bytes, checks[target].message
    mobile = checks["mobile"]
    if importlib.util.find_spec("executorch") is None:
        assert mobile.status == "not_checked" and "executorch is not installed" in mobile.message
    else:
        assert mobile.status == "ok" and mobile.route.startswith("torch.export -> ExecuTorch"), mobile.message
    assert checks["microcontroller"].status == "not_checked" and "Arm toolchain" in checks["microcontroller"].message
    assert checks["browser"].status == "not_checked"
