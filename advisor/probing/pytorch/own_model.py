"""A team's PyTorch model in the PyTorch child: a factory's ``torch.nn.Module`` or a ``.pt2`` exported
program, measured eager and under ``torch.compile`` by the shared loop, and handed to PyTorch's route
table (:mod:`advisor.probing.pytorch.routes`) as a :class:`~advisor.probing.pytorch.routes.TorchSubject`.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from advisor.evidence.protocol import OWN_MODEL, Mode, ModelSource, ProbeRequest
from advisor.probing.child.own_model import (
    DEFAULT_LOSS,
    TARGETS_LOSS,
    ModelLoadError,
    Parts,
    batch_inputs,
    batches,
    call_factory,
    check_batch_axis,
    describe_inputs,
    resized,
    unpack,
)
from advisor.probing.child.workloads import LEARNING_RATE, MOMENTUM
from advisor.probing.pytorch.routes import TorchSubject


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
        self.x_b1, self.x_large = batch_inputs(
            self.x, parts, self.batches, example_batch, lambda x, times: _repeat(torch, x, 0, times)
        )
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

    def subject(self) -> TorchSubject:
        """The model as loaded, on the CPU in eval mode, for PyTorch's deployment routes."""
        self.restore()
        model = self.model.cpu()
        _set_training(model, False)
        inputs = tuple(x.cpu() for x in self.parts.inputs)
        dims = self.parts.dynamic_dims
        torch = self.torch
        varied = resized(inputs, dims, lambda x, a: int(x.shape[a]), lambda x, a, k: _repeat(torch, x, a, k))
        return TorchSubject(
            workload=OWN_MODEL,
            kind=self.source.kind,
            model=model,
            inputs=inputs,
            dims=dims,
            varied=varied if dims else None,
            exported=self.exported,
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


def _symbolic_axes(program: Any, count: int) -> list[int]:
    """Axes of the first user input that the exported program keeps symbolic (its dynamic dimensions)."""
    names = list(program.graph_signature.user_inputs)[:count]
    first = next((n for n in program.graph.nodes if n.op == "placeholder" and names and n.name == names[0]), None)
    shape = getattr(first.meta.get("val") if first is not None else None, "shape", ())
    return [axis for axis, size in enumerate(shape) if not isinstance(size, int)]
