"""PyTorch's deployment routes, one table for the probe workloads and the team's model (PyTorch child only).

Each route is exported, loaded back and compared with the source model on its example inputs (and, on
the routes that keep the declared dynamic axes, with those axes doubled):

- server: ``torch.export`` -> ``.pt2`` -> ``torch.export.load``; for the team's model also AOTInductor
  (``aoti_compile_and_package`` -> ``aoti_load_package``), the compiled ``.pt2`` a C++ server loads;
- onnx: ``torch.onnx.export(dynamo=True)`` -> onnxruntime;
- mobile: ExecuTorch (XNNPACK) at the example shape; for the team's model also LiteRT through
  litert-torch and through ONNX then onnx2tf, both *conversions* of the PyTorch model (reported under
  PyTorch, never as a TensorFlow measurement), and Core ML through coremltools, run only on macOS
  (elsewhere the conversion is reported and the parity is not checked);
- microcontroller and browser: not checked, with why.

torch (and every converter) is imported inside the exports: this module is imported before the
framework, whose import the child's budget counts.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.probing.child import litert
from advisor.probing.child.routes import SYNTHETIC, Artifact, Route, Runner, Subject

FACTORY, PT2 = "torch_factory", "pt2"  # the team's model: a factory's module, or an exported program
OWN = frozenset({FACTORY, PT2})
CONVERSION = "a conversion of the PyTorch model, not a TensorFlow measurement"
EXPORT = "torch.export{shapes} -> .pt2 -> torch.export.load"


@dataclass(kw_only=True)
class TorchSubject(Subject):
    """A ``torch.nn.Module`` in eval mode and its example inputs (tensors); for a ``.pt2`` input also the
    exported program it came from."""

    model: Any
    exported: Any = None  # the ExportedProgram of a .pt2 input

    def run_source(self, inputs: tuple[Any, ...]) -> Any:
        return _inference(self.model)(inputs)

    def program(self, *, dynamic: bool, model: Any = None, inputs: tuple[Any, ...] | None = None) -> Any:
        """The exported program: the input itself for a .pt2, else ``torch.export`` of the module (of
        ``model`` on ``inputs`` where given), with the declared dynamic axes when ``dynamic``."""
        if self.exported is not None:
            return self.exported
        import torch

        inputs = self.inputs if inputs is None else inputs
        shapes = dynamic_shapes(inputs, self.dims or []) if dynamic else None
        return torch.export.export(self.model if model is None else model, inputs, dynamic_shapes=shapes)


def dynamic_shapes(inputs: tuple[Any, ...], dims: list[int]) -> tuple[Any, ...] | None:
    """torch.export's ``dynamic_shapes``: each declared axis of each input (that has it) marked dynamic."""
    if not dims:
        return None
    import torch

    return tuple({axis: torch.export.Dim.DYNAMIC for axis in dims if axis < x.dim()} or None for x in inputs)


def _inference(module: Any) -> Runner:
    """``module`` called on a tuple of inputs in inference mode."""

    def run(inputs: tuple[Any, ...]) -> Any:
        import torch

        with torch.inference_mode():
            return module(*inputs)

    return run


def _numpy(x: Any) -> Any:
    return x.detach().cpu().numpy()


def _pt2(subject: TorchSubject, folder: Path) -> Artifact:
    import torch

    path = folder / "model.pt2"
    torch.export.save(subject.program(dynamic=True), str(path))
    return Artifact(path, _inference(torch.export.load(str(path)).module()))


def _aoti(subject: TorchSubject, folder: Path) -> Artifact:
    from torch._inductor import aoti_compile_and_package, aoti_load_package

    path = folder / "model-aoti.pt2"
    aoti_compile_and_package(subject.program(dynamic=True), package_path=str(path))
    runner = aoti_load_package(str(path))
    return Artifact(path, lambda x: runner(*x))


def _onnx(subject: TorchSubject, folder: Path) -> Artifact:
    import onnxruntime
    import torch

    path = folder / "model.onnx"
    if subject.exported is not None:
        torch.onnx.export(subject.program(dynamic=True), subject.inputs, str(path), dynamo=True, verbose=False)
    else:
        shapes = dynamic_shapes(subject.inputs, subject.dims or [])
        torch.onnx.export(subject.model, subject.inputs, str(path), dynamo=True, dynamic_shapes=shapes, verbose=False)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return Artifact(path, lambda x: session.run(None, {n: _numpy(t) for n, t in zip(names, x, strict=False)}))


def _executorch(subject: TorchSubject, folder: Path) -> Artifact:
    """ExecuTorch runs on the CPU: the module and its inputs are exported from there, at static shapes."""
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower
    from executorch.runtime import Runtime

    inputs = tuple(x.cpu() for x in subject.inputs)
    program = subject.program(dynamic=False, model=subject.model.cpu(), inputs=inputs)
    lowered = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()]).to_executorch()
    path = folder / "model.pte"
    path.write_bytes(lowered.buffer)
    method = Runtime.get().load_program(str(path)).load_method("forward")
    return Artifact(path, lambda x: method.execute([t.cpu() for t in x]))


def _litert_torch(subject: TorchSubject, folder: Path) -> Artifact:
    import litert_torch

    edge = litert_torch.convert(subject.model, subject.inputs)
    path = folder / "model-litert-torch.tflite"
    edge.export(str(path))
    return Artifact(path, lambda x: edge(*x))


def _onnx2tf(subject: TorchSubject, folder: Path) -> Artifact:
    import onnx
    import onnx2tf
    import tensorflow as tf
    import torch

    onnx_path = folder / "model-for-onnx2tf.onnx"
    torch.onnx.export(subject.model, subject.inputs, str(onnx_path), dynamo=True, verbose=False)
    out_dir = folder / "onnx2tf"
    names = [i.name for i in onnx.load(str(onnx_path)).graph.input]
    onnx2tf.convert(
        input_onnx_file_path=str(onnx_path),
        output_folder_path=str(out_dir),
        keep_shape_absolutely_input_names=names,
        non_verbose=True,
    )
    path = next(out_dir.glob("*_float32.tflite"))
    interpreter_class = litert.interpreter(tf)

    def run(x: tuple[Any, ...]) -> Any:
        interpreter = interpreter_class(model_path=str(path))
        interpreter.allocate_tensors()
        for detail, value in zip(interpreter.get_input_details(), x, strict=False):
            interpreter.set_tensor(detail["index"], _numpy(value).astype(detail["dtype"]))
        interpreter.invoke()
        return [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]

    return Artifact(path, run)


def _coreml(subject: TorchSubject, folder: Path) -> Artifact:
    """Core ML converts anywhere but runs only on macOS: elsewhere the conversion is the evidence."""
    import coremltools

    path = folder / "model.mlpackage"
    converted = coremltools.convert(subject.program(dynamic=False).run_decompositions({}), convert_to="mlprogram")
    converted.save(str(path))
    names = [i.name for i in converted.get_spec().description.input]

    def run(x: tuple[Any, ...]) -> Any:
        out = converted.predict({n: _numpy(t) for n, t in zip(names, x, strict=False)})
        return [out[k] for k in sorted(out)]

    return Artifact(path, run)


ROUTES: tuple[Route[TorchSubject], ...] = (
    Route("server", EXPORT, _pt2, dynamic=True, models=frozenset({SYNTHETIC, FACTORY})),
    Route("server", EXPORT, not_checked="the input is already a torch.export program (.pt2)", models=frozenset({PT2})),
    Route(
        "server",
        "torch.export{shapes} -> AOTInductor (aoti_compile_and_package) -> aoti_load_package",
        _aoti,
        dynamic=True,
        models=OWN,
    ),
    Route(
        "onnx",
        "torch.onnx.export(dynamo=True{shapes_arg}) -> onnxruntime",
        _onnx,
        dynamic=True,
        needs=("onnxscript", "onnxruntime"),
    ),
    Route(
        "mobile",
        "torch.export{static} -> ExecuTorch .pte (XNNPACK) -> ExecuTorch runtime",
        _executorch,
        needs=("executorch",),
    ),
    Route(
        "mobile",
        f"litert-torch convert -> .tflite -> its LiteRT interpreter ({CONVERSION})",
        _litert_torch,
        needs=("litert_torch",),
        models=OWN,
    ),
    Route(
        "mobile",
        f"torch.onnx.export -> onnx2tf -> .tflite -> LiteRT interpreter ({CONVERSION})",
        _onnx2tf,
        needs=("onnx2tf", "onnxscript", "tensorflow"),
        models=OWN,
    ),
    Route(
        "mobile",
        "coremltools.convert (torch.export, ML program) -> .mlpackage -> Core ML",
        _coreml,
        needs=("coremltools",),
        runs_here=lambda: sys.platform == "darwin",
        not_checked="running Core ML needs macOS, so its outputs were not compared",
        models=OWN,
    ),
    Route(
        "microcontroller",
        "ExecuTorch Cortex-M / Ethos-U",
        not_checked="needs the Arm toolchain (Ethos-U Vela compiler, Corstone FVP), which PyPI alone does not "
        "provide; LiteRT for Microcontrollers is TensorFlow's route",
    ),
    Route(
        "browser",
        "torch.onnx.export -> ONNX Runtime Web",
        not_checked="ONNX Runtime Web runs in a browser, which this check does not start; see the onnx check for "
        "the exported model itself",
    ),
)
