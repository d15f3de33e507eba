"""The team's own model inside a probe child, the parts every framework shares: importing and calling
its factory, checking what the factory returned against the contract, the batch sizes and the made-up
inputs of a saved artifact. Each framework's folder loads its kinds of model with these
(``pytorch/own_model.py``, ``keras/own_model.py``, ...); the shared loop measures them
(:func:`advisor.probing.child.measure.run_cells`, workload ``model``) and the framework's route table
converts them (:meth:`OwnModel.subject`).

This module runs only in a child process, after the framework import: the advisor process never
imports user code. A factory is imported from its file (or its module, with the request's search
path appended to ``sys.path``, behind the installed packages, so a file in the working directory can
never shadow the framework) and called once; what it returns is checked against the contract
(README, "Probing your own model"):

- PyTorch: a ``torch.nn.Module`` and its example inputs, as ``(model, inputs)`` or a dict with
  ``model`` and ``inputs`` and, optionally, ``loss`` (``loss(output, targets)``, or ``loss(output)``
  without ``targets``), ``targets`` and ``dynamic_dims``;
- Keras 3: a ``keras.Model`` and its example inputs, the same shapes; ``loss`` is anything
  ``model.compile(loss=...)`` takes and ``targets`` the ``y`` of ``train_on_batch``.

``inputs`` is one tensor/array or a tuple of them, with the batch on axis 0. Without a ``loss`` the
training step minimises the mean squared error against ``targets``, or against zeros (the mean
squared output) when there are none: a stand-in whose backward pass
reaches every weight the output depends on, so the step costs what a real one does. The optimiser is
the probes' SGD (lr 0.01, momentum 0.9). Any problem with the factory or the file becomes
:class:`ModelLoadError`: one line naming the reference and what was expected.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from advisor.evidence.protocol import Mode, ModelSource
from advisor.probing.child.backend import Cell
from advisor.probing.child.routes import Subject

LARGE_FACTOR, MAX_LARGE = 8, 1024  # the large inference batch: 8x the example batch, at most 1024
DEFAULT_LOSS = "mean squared output (MSE against zeros)"
TARGETS_LOSS = "mean squared error against the targets"
CONTRACT_KEYS = ("model", "inputs", "loss", "targets", "dynamic_dims")
EXAMPLE_BATCH = 8  # inputs made up for a saved artifact: this batch, standard normal floats, zero integers
MADE_UP = " (made up: standard normal floats, zero integers)"


class ModelLoadError(Exception):
    """The own model could not be loaded, or is not what the contract asks for (one line)."""


class OwnModel(Protocol):
    """The team's model, loaded in a child: what the shared loop measures and the routes convert."""

    @property
    def batches(self) -> tuple[int, int]:
        """(training batch, large inference batch)."""

    def build(self, mode: Mode) -> Cell:
        """The model in one mode, ready to measure (a ``train_step`` of None: inference only)."""

    def settings(self) -> dict[str, Any]:
        """How it was loaded and measured, for the result's settings."""

    def subject(self) -> Subject | None:
        """The model for this framework's deployment routes (None where this child does not convert it)."""


@dataclass
class Parts:
    """What a factory returned, checked: the model and its example inputs (a tuple), the optional loss
    and targets, and the dynamic axes in force (the request's, else the factory's, else the batch axis)."""

    model: Any
    inputs: tuple[Any, ...]
    loss: Any = None
    targets: Any = None
    dynamic_dims: list[int] = field(default_factory=lambda: [0])


def one_line(text: str, limit: int = 600) -> str:
    """``text`` on one line (a user's exception may span many), cut to ``limit`` characters."""
    line = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def type_name(value: Any) -> str:
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _import_factory_module(source: ModelSource) -> Any:
    for folder in source.search_path:  # behind the installed packages: the framework is imported already
        if folder not in sys.path:
            sys.path.append(folder)
    if source.path is not None:
        path = Path(source.path)
        if not path.is_file():
            raise ModelLoadError(f"{source.ref}: the file {path} does not exist (expected a Python file)")
        name = "advisor_own_model_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ModelLoadError(f"{source.ref}: {path} cannot be imported as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[name]
            raise ModelLoadError(
                f"{source.ref}: importing {path} failed: {type(error).__name__}: {one_line(str(error))}"
            ) from None
        return module
    assert source.module is not None
    try:
        return importlib.import_module(source.module)
    except ModuleNotFoundError as error:
        where = ", ".join(source.search_path) or "the installed packages"
        raise ModelLoadError(
            f"{source.ref}: no module named '{error.name or source.module}' (looked in {where} and the "
            "installed packages; expected package.module:function)"
        ) from None
    except Exception as error:
        raise ModelLoadError(
            f"{source.ref}: importing {source.module} failed: {type(error).__name__}: {one_line(str(error))}"
        ) from None


def call_factory(source: ModelSource) -> Any:
    """Import the factory and call it with no arguments; any failure is one :class:`ModelLoadError` line."""
    module = _import_factory_module(source)
    function = source.function or ""
    factory = getattr(module, function, None)
    where = source.path or source.module
    if factory is None:
        defined = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))[:8]
        raise ModelLoadError(
            f"{source.ref}: {where} has no function '{function}' "
            f"(it defines: {', '.join(defined) or 'nothing callable'})"
        )
    if not callable(factory):
        raise ModelLoadError(f"{source.ref}: '{function}' in {where} is a {type_name(factory)}, not a function")
    try:
        return factory()
    except (Exception, SystemExit) as error:  # a factory that calls sys.exit() is a factory that failed
        frame = traceback.extract_tb(error.__traceback__)[-1]
        raise ModelLoadError(
            f"{source.ref}: the factory raised {type(error).__name__}: {one_line(str(error))} "
            f"(at {Path(frame.filename).name}:{frame.lineno})"
        ) from None


def unpack(value: Any, source: ModelSource, is_model: Callable[[Any], bool], expected: str) -> Parts:
    """Check what a factory returned against the contract; ``expected`` names the model type."""
    shape = f"expected ({expected}, example_inputs) or a dict with 'model' and 'inputs'"
    if is_model(value):
        raise ModelLoadError(f"{source.ref}: returned a model without example inputs; {shape}")
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k not in CONTRACT_KEYS)
        if unknown:
            raise ModelLoadError(
                f"{source.ref}: returned a dict with unknown key(s) {', '.join(unknown)}; "
                f"the keys are {', '.join(CONTRACT_KEYS)}"
            )
        missing = [k for k in ("model", "inputs") if k not in value]
        if missing:
            raise ModelLoadError(f"{source.ref}: returned a dict without {' and '.join(missing)}; {shape}")
        model, inputs = value["model"], value["inputs"]
        extra = {k: value.get(k) for k in ("loss", "targets", "dynamic_dims")}
    elif isinstance(value, tuple | list) and len(value) == 2:
        model, inputs = value
        extra = {}
    else:
        raise ModelLoadError(f"{source.ref}: returned a {type_name(value)}; {shape}")
    if not is_model(model):
        raise ModelLoadError(f"{source.ref}: returned a {type_name(model)} as the model; expected {expected}")
    inputs = tuple(inputs) if isinstance(inputs, tuple | list) else (inputs,)
    if not inputs:
        raise ModelLoadError(f"{source.ref}: returned no example inputs; expected a tensor or a tuple of them")
    dims = source.dynamic_dims if source.dynamic_dims is not None else extra.get("dynamic_dims")
    if dims is None:
        dims = [0]
    if not isinstance(dims, list | tuple) or not all(isinstance(d, int) and d >= 0 for d in dims):
        raise ModelLoadError(f"{source.ref}: dynamic_dims must be a list of axes (non-negative integers)")
    return Parts(model, inputs, extra.get("loss"), extra.get("targets"), sorted(set(dims)))


def check_batch_axis(parts: Parts, source: ModelSource, shape_of: Callable[[Any], Sequence[int]]) -> int:
    """The example batch (axis 0 of every input); inputs that disagree on it are an error while axis 0
    is declared dynamic (the batch-1 and large-batch calls resize it)."""
    shapes = [tuple(shape_of(x)) for x in parts.inputs]
    if any(len(s) == 0 for s in shapes):
        raise ModelLoadError(f"{source.ref}: an example input is a scalar; expected tensors with the batch on axis 0")
    sizes = {s[0] for s in shapes}
    if 0 in parts.dynamic_dims and len(sizes) > 1:
        raise ModelLoadError(
            f"{source.ref}: the example inputs disagree on axis 0 ({sorted(sizes)}); axis 0 must be the batch "
            "axis, or declare dynamic_dims without 0"
        )
    return shapes[0][0]


def batches(parts: Parts, example_batch: int) -> tuple[int, int]:
    """(training batch, large inference batch): the example batch, and 8x it when axis 0 may change."""
    if 0 not in parts.dynamic_dims:
        return example_batch, example_batch
    return example_batch, max(example_batch, min(MAX_LARGE, LARGE_FACTOR * example_batch))


def batch_inputs(
    inputs: tuple[Any, ...], parts: Parts, sizes: tuple[int, int], example_batch: int, repeat: Callable[[Any, int], Any]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(batch-1 inputs, large-batch inputs): the first row of each input, and each repeated along axis 0 up
    to the large batch of ``sizes`` (:func:`batches`), where axis 0 may change size; else the inputs as given."""
    if 0 not in parts.dynamic_dims:
        return inputs, inputs
    factor = sizes[1] // max(1, example_batch)
    return tuple(x[:1] for x in inputs), tuple(repeat(x, factor) for x in inputs) if factor > 1 else inputs


def resized(
    inputs: tuple[Any, ...], dims: list[int], size_of: Callable[[Any, int], int], repeat: Callable[[Any, int, int], Any]
) -> tuple[Any, ...]:
    """``inputs`` with every declared dynamic axis doubled (each input repeated along it): the second
    shape a dynamic export must accept."""
    out = []
    for x in inputs:
        for axis in dims:
            if axis < len(getattr(x, "shape", ())) and size_of(x, axis) > 0:
                x = repeat(x, axis, 2)
        out.append(x)
    return tuple(out)


def describe_inputs(inputs: Sequence[Any]) -> str:
    """'float32[8, 3, 64, 64]' per input, for the settings."""
    parts = []
    for x in inputs:
        dtype = re.sub(r"^torch\.", "", str(getattr(x, "dtype", "?")))
        parts.append(f"{dtype}{list(getattr(x, 'shape', ()))}")
    return ", ".join(parts)


def made_up_inputs(specs: list[tuple[str, tuple[Any, ...], Any]], source: ModelSource) -> tuple[Any, ...]:
    """Example inputs for a saved artifact from its input specs (name, shape, dtype): batch
    :data:`EXAMPLE_BATCH` on an unknown axis 0; another unknown axis is an error (it needs a factory)."""
    rng = np.random.default_rng(0)
    out = []
    for name, shape, dtype in specs:
        dims = list(shape)
        if dims and dims[0] is None:
            dims[0] = EXAMPLE_BATCH
        if any(d is None for d in dims):
            raise ModelLoadError(
                f"{source.ref}: input '{name}' has an unknown size on axis {dims.index(None)}; probe a factory "
                "that returns example inputs instead"
            )
        kind = np.dtype(dtype)
        value = rng.standard_normal(dims).astype(kind) if kind.kind == "f" else np.zeros(dims, dtype=kind)
        out.append(value)
    return tuple(out)
