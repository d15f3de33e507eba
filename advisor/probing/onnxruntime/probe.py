"""The onnxruntime child: an ``.onnx`` model measured as a baseline
(``python -m advisor.probing.onnxruntime.probe``).

onnxruntime is no candidate framework: this child exists so a team that already has an ONNX model sees
what a plain runtime makes of it, beside the frameworks. It measures inference only, on the CPU
execution provider, with the same loop and statistics as the other children: "eager" is a session
with graph optimisations off (ORT_DISABLE_ALL), "compiled" one with all of them (ORT_ENABLE_ALL).
Its route table (:mod:`advisor.probing.onnxruntime.routes`) says, per target, that the file already is
the deployment artifact.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from advisor.evidence.protocol import Environment, Mode, ProbeRequest
from advisor.probing import host
from advisor.probing.child.main import main
from advisor.probing.child.routes import Subject
from advisor.probing.child.workloads import Workload
from advisor.probing.onnxruntime.own_model import OnnxOwn
from advisor.probing.onnxruntime.routes import ROUTES


class OrtBackend:
    """The ``Backend`` protocol for onnxruntime (CPU execution provider, no synthetic workloads)."""

    framework = "onnxruntime"

    def __init__(self) -> None:
        import onnxruntime

        self.ort = onnxruntime
        self.threads = 1

    def setup(self, request: ProbeRequest) -> dict[str, Any]:
        self.threads = request.threads
        return {
            "onnxruntime_version": self.ort.__version__,
            "device": "cpu",
            "execution_provider": "CPUExecutionProvider",
            "threads": request.threads,
            "inter_op_threads": 1,
            "eager": "graph optimisations off (ORT_DISABLE_ALL)",
            "compile": "all graph optimisations (ORT_ENABLE_ALL)",
        }

    def environment(self, request: ProbeRequest) -> Environment:
        return Environment(
            os=host.os_name(),
            python=host.python_version(),
            framework_version=self.ort.__version__,
            device="cpu",
            device_name=host.cpu_name(),
            gpu_visible=False,
            gpu_present=False,
            cpu_count=host.cpu_count(),
        )

    def build(self, workload: Workload, mode: Mode) -> Any:
        raise RuntimeError("the onnxruntime child measures only an .onnx model")

    def sync(self) -> None:
        """onnxruntime's run returns when the outputs are ready."""

    def reset_peak_memory(self) -> None:
        """Process peak RSS cannot be reset."""

    def peak_memory(self) -> tuple[int | None, str]:
        return host.peak_rss_bytes(), host.PEAK_RSS_SOURCE

    def is_oom(self, error: BaseException) -> bool:
        return "bad_alloc" in str(error) or "Failed to allocate" in str(error)

    def subjects(self, request: ProbeRequest) -> Iterator[Subject]:
        """No synthetic workloads: nothing of its own to convert."""
        return iter(())

    def session(self, path: str, optimized: bool) -> Any:
        ort = self.ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = (
            ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimized else ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        )
        return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


if __name__ == "__main__":
    raise SystemExit(main("onnxruntime", OrtBackend, ROUTES, {"onnx": OnnxOwn}))
