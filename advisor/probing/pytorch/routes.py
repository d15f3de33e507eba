"""PyTorch's deployment routes, run for real on the probe models (in the PyTorch child only).

server: torch.export -> .pt2 -> torch.export.load; onnx: torch.onnx.export (dynamo exporter) ->
onnxruntime; mobile: ExecuTorch (.pte, XNNPACK) -> ExecuTorch runtime. Microcontroller and browser
runtimes cannot run here and are reported as not checked, with why.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advisor.probing.child.routes import CheckOne, check, for_each_target, missing_module, not_checked
from advisor.probing.child.workloads import WORKLOADS
from advisor.probing.protocol import DeployCheck, DeployTarget, ProbeRequest, WorkloadName

INSTALL = "pip install 'framework-advisor[deploy]'"


def run_deploy_checks(backend: Any, request: ProbeRequest, started: float) -> list[DeployCheck]:
    """Every requested target for every workload, within the request's deployment budget."""
    torch = backend.torch

    def prepare(name: WorkloadName) -> CheckOne:
        cell = backend.build(WORKLOADS[name], "eager")
        model, x = cell.model.eval(), cell.x_b1
        with torch.inference_mode():
            reference = model(x).float().cpu().numpy()
        return lambda target, folder: _check(target, name, model, x, reference, folder, torch)

    with tempfile.TemporaryDirectory(prefix="advisor-deploy-") as folder:
        return for_each_target(request, started, Path(folder), prepare)


def _check(
    target: DeployTarget, name: Any, model: Any, x: Any, reference: Any, folder: Path, torch: Any
) -> DeployCheck:
    routes: dict[str, tuple[str, Callable[[], tuple[Any, Any, Path | None]] | str]] = {
        "server": ("torch.export -> .pt2 -> torch.export.load", lambda: _export(model, x, reference, folder, torch)),
        "onnx": ("torch.onnx.export(dynamo=True) -> onnxruntime", _onnx_route(model, x, reference, folder, torch)),
        "mobile": (
            "torch.export -> ExecuTorch .pte (XNNPACK) -> ExecuTorch runtime",
            _executorch_route(model, x, reference, folder, torch),
        ),
        "microcontroller": (
            "ExecuTorch Cortex-M / Ethos-U",
            "needs the Arm toolchain (Ethos-U Vela compiler, Corstone FVP), which PyPI alone does "
            "not provide; LiteRT for Microcontrollers is TensorFlow's route",
        ),
        "browser": (
            "torch.onnx.export -> ONNX Runtime Web",
            "ONNX Runtime Web runs in a browser, which this check does not start; see the onnx check "
            "for the exported model itself",
        ),
    }
    route, run = routes[target]
    if isinstance(run, str):
        return not_checked(target, name, route, run)
    return check(target, name, route, run)


def _export(model: Any, x: Any, reference: Any, folder: Path, torch: Any) -> tuple[Any, Any, Path]:
    path = folder / f"{id(model)}.pt2"
    torch.export.save(torch.export.export(model, (x,)), str(path))
    loaded = torch.export.load(str(path)).module()
    with torch.inference_mode():
        return reference, loaded(x).float().cpu().numpy(), path


def _onnx_route(model: Any, x: Any, reference: Any, folder: Path, torch: Any) -> Callable[[], Any] | str:
    missing = missing_module("onnxscript", "onnxruntime")
    if missing:
        return f"{missing} is not installed: {INSTALL}"

    def run() -> tuple[Any, Any, Path]:
        import onnxruntime

        path = folder / f"{id(model)}.onnx"
        torch.onnx.export(model, (x,), str(path), dynamo=True)
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        output = session.run(None, {session.get_inputs()[0].name: x.cpu().numpy()})[0]
        return reference, output, path

    return run


def _executorch_route(model: Any, x: Any, reference: Any, folder: Path, torch: Any) -> Callable[[], Any] | str:
    missing = missing_module("executorch")
    if missing:
        return f"executorch is not installed: {INSTALL} (a PyTorch -> ONNX -> LiteRT route is not attempted)"

    def run() -> tuple[Any, Any, Path]:
        from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
        from executorch.exir import to_edge_transform_and_lower
        from executorch.runtime import Runtime

        cpu_model, cpu_x = model.cpu(), x.cpu()
        program = to_edge_transform_and_lower(
            torch.export.export(cpu_model, (cpu_x,)), partitioner=[XnnpackPartitioner()]
        ).to_executorch()
        path = folder / f"{id(model)}.pte"
        path.write_bytes(program.buffer)
        method = Runtime.get().load_program(str(path)).load_method("forward")
        return reference, method.execute([cpu_x])[0].float().numpy(), path

    return run
