"""JAX's deployment routes for real, in the JAX child: jax.export round trip, jax2onnx in onnxruntime,
and the jax2tf -> LiteRT route (float and int8), each with output parity and artifact size."""

from __future__ import annotations

import pytest

from advisor.evidence.protocol import ProbeRequest
from advisor.probing.launcher import run_probe

pytestmark = pytest.mark.jax


def test_jax_routes_convert_and_match_the_source_model() -> None:
    pytest.importorskip("jax")
    pytest.importorskip("jax2onnx")
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tensorflow")
    request = ProbeRequest(
        framework="jax",
        workloads=["mlp"],
        modes=[],
        device="cpu",
        threads=1,
        budget_s=5,
        deploy=["server", "onnx", "mobile", "microcontroller", "browser"],
    )
    result = run_probe(request)
    assert result.status == "ok", (result.message, result.traceback)
    checks = {c.target: c for c in result.deploy_checks}
    for target in ("server", "onnx", "mobile"):
        check = checks[target]
        assert check.status == "ok" and check.max_abs_error is not None and check.artifact_bytes, (target, check)
    assert "jax.export" in checks["server"].route and "jax2onnx" in checks["onnx"].route
    assert checks["onnx"].artifact_bytes and checks["onnx"].artifact_bytes > 4 * 399_370  # weights in a side file
    int8 = checks["microcontroller"]
    assert int8.status == "ok" and "int8" in (int8.tolerance or ""), int8.message
    assert checks["browser"].status == "not_checked"
