"""A team's PyTorch model in the PyTorch child: a factory's ``torch.nn.Module`` or a ``.pt2`` exported
program, measured eager and under ``torch.compile``, and converted along PyTorch's own routes.

Routes, each loaded back and compared with the source model on the example inputs (and, on the
server and ONNX routes, with the declared dynamic axes doubled):

- server: ``torch.export`` -> ``.pt2`` -> ``torch.export.load``; and AOTInductor
  (``aoti_compile_and_package`` -> ``aoti_load_package``), the compiled ``.pt2`` a C++ server loads;
- onnx: ``torch.onnx.export(dynamo=True)`` -> onnxruntime;
- mobile: ExecuTorch (XNNPACK) at the example shape; LiteRT through litert-torch, and through ONNX then
  onnx2tf, both *conversions* of the PyTorch model (reported under PyTorch, never as a TensorFlow
  measurement); Core ML through coremltools, run only on macOS (elsewhere the conversion is reported
  and the parity is not checked);
- microcontroller and browser: not checked, with why (as for the synthetic models).
"""

from __future__ import annotations

import contextlib
import copy
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advisor.probing.child.own_model import (
    DEFAULT_LOSS,
    LEARNING_RATE,
    MOMENTUM,
    TARGETS_LOSS,
    Emit,
    ModelLoadError,
    Parts,
    Route,
    batches,
    both_shapes,
    call_factory,
    check_batch_axis,
    describe_inputs,
    flat,
    resized,
    run_routes,
    unpack,
)
from advisor.probing.child.routes import check, converter_message, missing_module, not_checked, size_of
from advisor.probing.protocol import OWN_MODEL, DeployCheck, DeployTarget, Mode, ModelSource, ProbeRequest

INSTALL = "pip install 'framework-advisor[deploy]'"
CONVERSION = "a conversion of the PyTorch model, not a TensorFlow measurement"


class TorchOwnModel:
    """The loaded model, its pristine weights, and its inputs on the backend's device."""

    def __init__(self, backend: Any, request: ProbeRequest) -> None:
        torch = backend.torch
        source = request.model
        assert source is not None
        self.torch, self.backend, self.source = torch, backend, source
        self.exported: Any = None  # the ExportedProgram of a .pt2 input
        if source.kind == "torch_factory":
            parts = unpack(call_factory(source), source, lambda v: isinstance(v, torch.nn.Module), "a torch.nn.Module")
            self.trainable = any(p.requires_grad for p in parts.model.parameters())
        elif source.kind == "pt2":
            parts = self._load_pt2(source)
            self.trainable = False
        else:
            raise ModelLoadError(f"{source.ref}: a {source.kind} model is not a PyTorch model")
        bad = [type(x).__name__ for x in parts.inputs if not isinstance(x, torch.Tensor)]
        if bad:
            raise ModelLoadError(
                f"{source.ref}: the example inputs hold {', '.join(bad)}; expected torch.Tensor (or a tuple of them)"
            )
        self.parts = parts
        example_batch = check_batch_axis(parts, source, lambda x: tuple(x.shape))
        self.batches = batches(parts, example_batch)
        self.model = parts.model
        self.initial = copy.deepcopy(self.model.state_dict())
        device = backend.device
        self.model.to(device)
        self.x = tuple(x.to(device) for x in parts.inputs)
        self.targets = _to(parts.targets, device)
        batch_axis = 0 in parts.dynamic_dims
        self.x_b1 = tuple(x[:1] for x in self.x) if batch_axis else self.x
        factor = self.batches[1] // max(1, example_batch)
        self.x_large = tuple(_repeat(torch, x, 0, factor) for x in self.x) if batch_axis and factor > 1 else self.x
        self.params = sum(p.numel() for p in self.model.parameters() if p.requires_grad or not self.trainable)

    def _load_pt2(self, source: ModelSource) -> Parts:
        torch = self.torch
        try:
            program = torch.export.load(str(source.path))
        except Exception as error:
            raise ModelLoadError(
                f"{source.ref}: {source.path} is not a torch.export program (expected a .pt2 saved by "
                f"torch.export.save): {type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}"
            ) from None
        example = getattr(program, "example_inputs", None)
        if not example or not example[0]:
            raise ModelLoadError(
                f"{source.ref}: {source.path} carries no example inputs (saved by an older torch?); probe "
                "the factory that builds the model instead"
            )
        self.exported = program
        args = tuple(example[0])
        dims = source.dynamic_dims if source.dynamic_dims is not None else _symbolic_axes(program, len(args))
        return Parts(program.module(), args, dynamic_dims=dims)

    def restore(self) -> None:
        """The weights as loaded: every cell and every deployment check starts from them."""
        self.model.load_state_dict(self.initial)

    def settings(self) -> dict[str, Any]:
        loss = self.parts.loss
        return {
            "own_model": self.source.ref,
            "own_model_kind": self.source.kind,
            "own_model_inputs": describe_inputs(self.parts.inputs),
            "own_model_dynamic_dims": ", ".join(map(str, self.parts.dynamic_dims)) or "none",
            "own_model_trainable": self.trainable,
            "own_model_loss": (getattr(loss, "__name__", None) or type(loss).__name__) if loss else _default(self),
            "own_model_optimizer": f"SGD(lr={LEARNING_RATE}, momentum={MOMENTUM})",
            "own_model_compile": "torch.compile(model) (default: graph breaks allowed)",
            "own_model_batches": f"latency at batch {self.x_b1[0].shape[0]}, throughput at batch {self.batches[1]}",
        }

    def build(self, mode: Mode) -> TorchOwnCell:
        return TorchOwnCell(self, mode)

    # -- deployment -----------------------------------------------------------------------------

    def deploy(self, request: ProbeRequest, started: float, emit: Emit) -> list[DeployCheck]:
        self.restore()
        model = self.model.cpu()
        _set_training(model, False)
        inputs = tuple(x.cpu() for x in self.parts.inputs)
        dims = self.parts.dynamic_dims
        varied = resized(inputs, dims, lambda x, a: int(x.shape[a]), lambda x, a, k: _repeat(self.torch, x, a, k))
        with tempfile.TemporaryDirectory(prefix="advisor-own-model-") as name:
            folder = Path(name)
            routes = [r for target in request.deploy for r in self._routes(target, model, inputs, varied, folder)]
            return run_routes(routes, request, started, emit)

    def _reference(self, model: Any) -> Callable[[tuple[Any, ...]], Any]:
        torch = self.torch

        def run(inputs: tuple[Any, ...]) -> Any:
            with torch.inference_mode():
                return model(*inputs)

        return run

    def _program(self, model: Any, inputs: tuple[Any, ...], dynamic: bool) -> Any:
        """The exported program: the input itself for a .pt2, else torch.export of the module (with the
        declared dynamic axes when ``dynamic``)."""
        if self.exported is not None:
            return self.exported
        shapes = _dynamic_shapes(self.torch, inputs, self.parts.dynamic_dims) if dynamic else None
        return self.torch.export.export(model, inputs, dynamic_shapes=shapes)

    def _routes(self, target: DeployTarget, model: Any, inputs: Any, varied: Any, folder: Path) -> list[Route]:
        dims = self.parts.dynamic_dims
        axes = f"dynamic axes {', '.join(map(str, dims))}" if dims else "static shapes"
        ref = self._reference(model)
        torch = self.torch

        def checked(route: str, run: Callable[[], tuple[Any, Any, Path | None]], quantized: bool = False) -> Any:
            return lambda: check(target, OWN_MODEL, route, run, quantized=quantized)

        if target == "server":
            export_route = f"torch.export ({axes}) -> .pt2 -> torch.export.load"
            aoti_route = f"torch.export ({axes}) -> AOTInductor (aoti_compile_and_package) -> aoti_load_package"

            def export() -> tuple[Any, Any, Path]:
                path = folder / "model.pt2"
                torch.export.save(self._program(model, inputs, True), str(path))
                loaded = torch.export.load(str(path)).module()
                return (*both_shapes(ref, self._reference(loaded), inputs, varied if dims else None, dims), path)

            def aoti() -> tuple[Any, Any, Path]:
                from torch._inductor import aoti_compile_and_package, aoti_load_package

                path = folder / "model-aoti.pt2"
                aoti_compile_and_package(self._program(model, inputs, True), package_path=str(path))
                runner = aoti_load_package(str(path))
                return (*both_shapes(ref, lambda x: runner(*x), inputs, varied if dims else None, dims), path)

            first: Route = (
                (target, export_route, "the input is already a torch.export program (.pt2)")
                if self.exported is not None
                else (target, export_route, checked(export_route, export))
            )
            return [first, (target, aoti_route, checked(aoti_route, aoti))]
        if target == "onnx":
            route = f"torch.onnx.export(dynamo=True, {axes}) -> onnxruntime"
            missing = missing_module("onnxscript", "onnxruntime")
            if missing:
                return [(target, route, f"{missing} is not installed: {INSTALL}")]

            def onnx() -> tuple[Any, Any, Path]:
                import onnxruntime

                path = folder / "model.onnx"
                source: Any = self._program(model, inputs, True) if self.exported is not None else model
                shapes = _dynamic_shapes(torch, inputs, dims) if self.exported is None and dims else None
                torch.onnx.export(source, inputs, str(path), dynamo=True, dynamic_shapes=shapes, verbose=False)
                session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

                def run(x: tuple[Any, ...]) -> Any:
                    names = [i.name for i in session.get_inputs()]
                    return session.run(None, {n: t.numpy() for n, t in zip(names, x, strict=False)})

                return (*both_shapes(ref, run, inputs, varied if dims else None, dims), path)

            return [(target, route, checked(route, onnx))]
        if target == "mobile":
            return self._mobile_routes(model, inputs, folder, ref, checked)
        if target == "microcontroller":
            return [
                (
                    target,
                    "ExecuTorch Cortex-M / Ethos-U",
                    "needs the Arm toolchain (Ethos-U Vela compiler, Corstone FVP), which PyPI alone does not "
                    "provide; LiteRT for Microcontrollers is TensorFlow's route",
                )
            ]
        return [
            (
                target,
                "torch.onnx.export -> ONNX Runtime Web",
                "ONNX Runtime Web runs in a browser, which this check does not start; see the onnx check for the "
                "exported model itself",
            )
        ]

    def _mobile_routes(self, model: Any, inputs: Any, folder: Path, ref: Any, checked: Any) -> list[Route]:
        routes: list[Route] = []
        et_route = "torch.export (static shapes) -> ExecuTorch .pte (XNNPACK) -> ExecuTorch runtime"
        if missing_module("executorch"):
            routes.append(("mobile", et_route, f"executorch is not installed: {INSTALL}"))
        else:

            def executorch() -> tuple[Any, Any, Path]:
                from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
                from executorch.exir import to_edge_transform_and_lower
                from executorch.runtime import Runtime

                program = to_edge_transform_and_lower(
                    self._program(model, inputs, False), partitioner=[XnnpackPartitioner()]
                ).to_executorch()
                path = folder / "model.pte"
                path.write_bytes(program.buffer)
                method = Runtime.get().load_program(str(path)).load_method("forward")
                return flat(ref(inputs)), flat(method.execute(list(inputs))), path

            routes.append(("mobile", et_route, checked(et_route, executorch)))
        lt_route = f"litert-torch convert -> .tflite -> its LiteRT interpreter ({CONVERSION})"
        if missing_module("litert_torch"):
            routes.append(
                (
                    "mobile",
                    lt_route,
                    "litert-torch is not installed: pip install litert-torch (it is PyTorch's route to LiteRT)",
                )
            )
        else:

            def litert() -> tuple[Any, Any, Path]:
                import litert_torch

                edge = litert_torch.convert(model, inputs)
                path = folder / "model-litert-torch.tflite"
                edge.export(str(path))
                return flat(ref(inputs)), flat(edge(*inputs)), path

            routes.append(("mobile", lt_route, checked(lt_route, litert)))
        onnx2tf_route = f"torch.onnx.export -> onnx2tf -> .tflite -> LiteRT interpreter ({CONVERSION})"
        missing = missing_module("onnx2tf", "onnxscript", "tensorflow")
        if missing:
            routes.append(("mobile", onnx2tf_route, f"{missing} is not installed: pip install onnx2tf tensorflow"))
        else:
            routes.append(("mobile", onnx2tf_route, checked(onnx2tf_route, self._onnx2tf(model, inputs, folder, ref))))
        coreml_route = "coremltools.convert (torch.export, ML program) -> .mlpackage -> Core ML"
        if missing_module("coremltools"):
            routes.append(("mobile", coreml_route, "coremltools is not installed: pip install coremltools"))
        else:
            routes.append(("mobile", coreml_route, lambda: self._coreml(model, inputs, folder, ref, coreml_route)))
        return routes

    def _onnx2tf(self, model: Any, inputs: Any, folder: Path, ref: Any) -> Callable[[], tuple[Any, Any, Path]]:
        def run() -> tuple[Any, Any, Path]:
            import numpy as np
            import onnx2tf

            from advisor.probing.tensorflow.routes import _interpreter

            onnx_path = folder / "model-for-onnx2tf.onnx"
            self.torch.onnx.export(model, inputs, str(onnx_path), dynamo=True, verbose=False)
            out_dir = folder / "onnx2tf"
            import onnx

            names = [i.name for i in onnx.load(str(onnx_path)).graph.input]
            onnx2tf.convert(
                input_onnx_file_path=str(onnx_path),
                output_folder_path=str(out_dir),
                keep_shape_absolutely_input_names=names,
                non_verbose=True,
            )
            path = next(out_dir.glob("*_float32.tflite"))
            import tensorflow as tf

            interpreter_class, _ = _interpreter(tf)
            interpreter = interpreter_class(model_path=str(path))
            interpreter.allocate_tensors()
            for detail, x in zip(interpreter.get_input_details(), inputs, strict=False):
                interpreter.set_tensor(detail["index"], x.numpy().astype(detail["dtype"]))
            interpreter.invoke()
            outputs = [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]
            return flat(ref(inputs)), np.concatenate([np.ravel(o) for o in outputs]), path

        return run

    def _coreml(self, model: Any, inputs: Any, folder: Path, ref: Any, route: str) -> DeployCheck:
        """Core ML converts anywhere but runs only on macOS: elsewhere the conversion is the evidence."""
        path = folder / "model.mlpackage"

        def convert() -> Any:
            import coremltools

            program = self._program(model, inputs, False).run_decompositions({})
            converted = coremltools.convert(program, convert_to="mlprogram")
            converted.save(str(path))
            return converted

        if sys.platform == "darwin":

            def run() -> tuple[Any, Any, Path]:
                converted = convert()
                names = [i.name for i in converted.get_spec().description.input]
                out = converted.predict({n: x.numpy() for n, x in zip(names, inputs, strict=False)})
                return flat(ref(inputs)), flat([out[k] for k in sorted(out)]), path

            return check("mobile", OWN_MODEL, route, run)
        started = time.perf_counter()
        try:
            convert()
        except Exception as error:
            return DeployCheck(
                target="mobile",
                workload=OWN_MODEL,
                route=route,
                status="failed",
                message=converter_message(error),
                convert_s=time.perf_counter() - started,
            )
        return not_checked(
            "mobile",
            OWN_MODEL,
            route,
            f"converted ({size_of(path) // 1024} KB in {time.perf_counter() - started:.1f} s), but running "
            "Core ML needs macOS, so its outputs were not compared",
        )


def _default(owner: TorchOwnModel) -> str:
    return TARGETS_LOSS if owner.parts.targets is not None else DEFAULT_LOSS


class TorchOwnCell:
    """The own model in one mode: ``torch.compile`` of the module in compiled mode, the module itself in eager."""

    def __init__(self, owner: TorchOwnModel, mode: Mode) -> None:
        torch = owner.torch
        owner.restore()
        self.owner, self.torch = owner, torch
        self.params = owner.params
        self.forward = torch.compile(owner.model) if mode == "compiled" else owner.model
        self._training: bool | None = None
        if owner.trainable:
            weights = [p for p in owner.model.parameters() if p.requires_grad]
            self.optimizer = torch.optim.SGD(weights, lr=LEARNING_RATE, momentum=MOMENTUM)
        else:
            self.train_step = None  # type: ignore[assignment]

    def _mode(self, training: bool) -> None:
        if self._training != training:
            _set_training(self.owner.model, training)
            self._training = training

    def train_step(self) -> None:
        owner = self.owner
        self._mode(True)
        self.optimizer.zero_grad(set_to_none=True)
        with owner.backend.autocast():
            output = self.forward(*owner.x)
            loss = _loss(self.torch, owner.parts.loss, output, owner.targets)
        loss.backward()
        self.optimizer.step()

    def _infer(self, x: tuple[Any, ...]) -> None:
        self._mode(False)
        with self.torch.inference_mode(), self.owner.backend.autocast():
            self.forward(*x)

    def infer_b1(self) -> None:
        self._infer(self.owner.x_b1)

    def infer_large(self) -> None:
        self._infer(self.owner.x_large)


def _loss(torch: Any, loss: Any, output: Any, targets: Any) -> Any:
    if loss is None and targets is not None:  # as Keras does with its default: MSE against the targets
        return torch.nn.functional.mse_loss(output.float(), targets.float())
    if loss is None:  # the stand-in: mean squared output over every floating-point output
        leaves = [t for t in _tensors(output) if t.is_floating_point()]
        return sum(t.float().pow(2).mean() for t in leaves)
    return loss(output, targets) if targets is not None else loss(output)


def _tensors(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    if isinstance(value, tuple | list):
        return [t for v in value for t in _tensors(v)]
    return [value] if hasattr(value, "is_floating_point") else []


def _to(value: Any, device: Any) -> Any:
    if hasattr(value, "to"):
        return value.to(device)
    if isinstance(value, tuple | list):
        return type(value)(_to(v, device) for v in value)
    if isinstance(value, dict):
        return {k: _to(v, device) for k, v in value.items()}
    return value


def _repeat(torch: Any, x: Any, axis: int, times: int) -> Any:
    return torch.cat([x] * times, dim=axis)


def _set_training(model: Any, training: bool) -> None:
    """``train()``/``eval()``; a module unlifted from an exported program refuses both (it stays as exported)."""
    with contextlib.suppress(NotImplementedError, RuntimeError):
        model.train(training)


def _dynamic_shapes(torch: Any, inputs: tuple[Any, ...], dims: list[int]) -> tuple[Any, ...] | None:
    """torch.export's ``dynamic_shapes``: each declared axis of each input (that has it) marked dynamic."""
    if not dims:
        return None
    return tuple({axis: torch.export.Dim.DYNAMIC for axis in dims if axis < x.dim()} or None for x in inputs)


def _symbolic_axes(program: Any, count: int) -> list[int]:
    """Axes of the first user input that the exported program keeps symbolic (its dynamic dimensions)."""
    names = list(program.graph_signature.user_inputs)[:count]
    first = next((n for n in program.graph.nodes if n.op == "placeholder" and names and n.name == names[0]), None)
    shape = getattr(first.meta.get("val") if first is not None else None, "shape", ())
    return [axis for axis, size in enumerate(shape) if not isinstance(size, int)]
