"""The team's own model on the advisor side: the reference a user writes, and where it leads.

A reference (REF) is one of

- ``path/to/file.py:function``: a factory function in a Python file;
- ``package.module:function``: a factory function in an importable module;
- a saved artifact: ``model.pt2`` (a ``torch.export`` program), ``model.keras``, ``model.onnx``, or a
  SavedModel folder.

:func:`parse_ref` reads the text alone (the spec validates it with it); :func:`resolve` finds the file
relative to a base folder (the spec's folder, or the working directory on the command line) and works
out what it is **without importing it**: the advisor process never runs user code. A factory's
framework comes from the imports its file makes (read with :mod:`ast`), unless the user states it;
the child that loads the model checks the returned type for real. Every problem is one
:class:`~advisor.errors.AdvisorError` line naming the file, the function and what was expected.
"""

from __future__ import annotations

import ast
import difflib
import importlib.machinery
import keyword
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from advisor.errors import AdvisorError, printable
from advisor.evidence.protocol import ModelKind, ModelSource, Runtime

ARTIFACTS: dict[str, ModelKind] = {".pt2": "pt2", ".keras": "keras_file", ".onnx": "onnx"}
EXPECTED = (
    "expected path/to/file.py:function, package.module:function, a .pt2, .keras or .onnx file, or a SavedModel folder"
)
KERAS_RUNTIMES: tuple[Runtime, ...] = ("tensorflow", "pytorch", "jax")  # one child per Keras backend
RUNTIMES: dict[ModelKind, tuple[Runtime, ...]] = {
    "torch_factory": ("pytorch",),
    "pt2": ("pytorch",),
    "keras_factory": KERAS_RUNTIMES,
    "keras_file": KERAS_RUNTIMES,
    "saved_model": ("tensorflow",),
    "onnx": ("onnxruntime",),
}
SOURCE_NAMES: dict[ModelKind, str] = {
    "torch_factory": "PyTorch model (factory)",
    "pt2": "PyTorch exported program (.pt2)",
    "keras_factory": "Keras 3 model (factory)",
    "keras_file": "Keras 3 model (.keras)",
    "saved_model": "TensorFlow SavedModel",
    "onnx": "ONNX model (onnxruntime baseline)",
}
TORCH_MODULES = frozenset({"torch"})
KERAS_MODULES = frozenset({"keras", "tensorflow", "tf_keras"})
Framework = Literal["auto", "pytorch", "keras"]
Fail = Callable[..., AdvisorError]  # message (and hint) -> the error to raise


class RefError(ValueError):
    """The text of a reference is not one of the accepted forms."""


@dataclass(frozen=True)
class ModelRef:
    """A parsed reference: a factory in a file or module, or an artifact path."""

    text: str
    form: Literal["file", "module", "artifact"]
    location: str  # the file or module part as written (or the artifact's path)
    function: str | None = None


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def parse_ref(text: str) -> ModelRef:
    """The form of ``text`` (no file is read); :class:`RefError` says what was expected."""
    ref = text.strip()
    shown = printable(text)  # quoted in one line, whatever the text holds
    if not ref or ref != text or printable(ref) != ref:
        raise RefError(f"'{shown}' is not a model reference: {EXPECTED}")
    head, colon, tail = ref.rpartition(":")
    if colon and not (len(head) == 1 and _drive_path(ref)):  # a function separator, not C:\ of a path
        if not head:
            raise RefError(f"'{shown}' names a function but no file or module: {EXPECTED}")
        if not _identifier(tail):
            raise RefError(f"'{printable(tail)}' after ':' is not a Python function name: {EXPECTED}")
        if head.endswith(".py"):
            if head == ".py" or head.endswith(("/.py", "\\.py")):
                raise RefError(f"'{shown}' names no Python file before ':{tail}': {EXPECTED}")
            return ModelRef(ref, "file", head, tail)
        if all(_identifier(p) for p in head.split(".")):
            return ModelRef(ref, "module", head, tail)
        raise RefError(
            f"'{printable(head)}' before ':{tail}' is neither a .py file nor a dotted module name: {EXPECTED}"
        )
    if ref.endswith(".py"):
        raise RefError(f"'{shown}' names a Python file but no function: write {shown}:function")
    return ModelRef(ref, "artifact", ref)


def _drive_path(text: str) -> bool:
    """``C:\\models\\net.onnx``-style paths: a colon that is a Windows drive, not a function separator."""
    return len(text) > 2 and text[1] == ":" and text[0].isalpha() and text[2] in "/\\"


@dataclass(frozen=True)
class Resolved:
    """Where a reference leads: what the children get, which runtimes load it, and in words what it is."""

    source: ModelSource
    runtimes: tuple[Runtime, ...]
    described: str
    why: str  # how the framework was decided (shown with a load error, where it may be wrong)


def resolve(
    text: str,
    base: Path,
    *,
    framework: Framework = "auto",
    dynamic_dims: list[int] | None = None,
    field: str = "--model",
    spec_path: str | None = None,
) -> Resolved:
    """Find ``text`` relative to ``base`` and work out what it is, without importing anything of it."""

    def fail(message: str, hint: str | None = None) -> AdvisorError:
        return AdvisorError(message, path=spec_path, field=field, hint=hint)

    try:
        ref = parse_ref(text)
    except RefError as error:
        raise fail(str(error)) from None
    if ref.form == "artifact":
        return _artifact(ref, base, dynamic_dims, fail)
    if ref.form == "file":
        path = _absolute(base, ref.location)
        if not path.is_file():
            raise fail(f"{text}: the file {path} does not exist (expected a Python file with a factory function)")
        module_name = None
        search = [str(path.parent)]
    else:
        found = find_module(ref.location, base)
        if found is None:
            raise fail(
                f"{text}: no module named '{ref.location}' in {base} or the installed packages "
                "(expected package.module:function)"
            )
        path, module_name, search = found, ref.location, [str(base)]
    assert ref.function is not None
    imports = _check_factory(path, ref.function, text, fail)
    kind, why = _factory_kind(imports, framework, path, text, fail)
    source = ModelSource(
        ref=text,
        kind=kind,
        path=None if module_name else str(path),
        module=module_name,
        function=ref.function,
        search_path=search,
        dynamic_dims=dynamic_dims,
    )
    return Resolved(source, RUNTIMES[kind], SOURCE_NAMES[kind], why)


def _absolute(base: Path, location: str) -> Path:
    path = Path(os.path.expanduser(location))
    return path if path.is_absolute() else (base / path)


def _artifact(ref: ModelRef, base: Path, dynamic_dims: list[int] | None, fail: Fail) -> Resolved:
    path = _absolute(base, ref.location)
    if not path.exists():
        raise fail(f"{ref.text}: {path} does not exist ({EXPECTED})")
    if path.is_dir():
        if not (path / "saved_model.pb").is_file():
            raise fail(f"{ref.text}: {path} is a folder but not a SavedModel (it has no saved_model.pb); {EXPECTED}")
        kind: ModelKind = "saved_model"
    else:
        suffix = path.suffix.lower()
        if suffix not in ARTIFACTS:
            raise fail(f"{ref.text}: {path.name} is not a model file ({EXPECTED})")
        kind = ARTIFACTS[suffix]
    source = ModelSource(ref=ref.text, kind=kind, path=str(path.resolve()), dynamic_dims=dynamic_dims)
    return Resolved(source, RUNTIMES[kind], SOURCE_NAMES[kind], f"a {path.suffix or 'SavedModel'} artifact")


def find_module(dotted: str, base: Path) -> Path | None:
    """The file of module ``dotted`` on ``[base, *sys.path]``, found by the path finder alone: a package's
    ``__init__`` is never run (importlib's ``find_spec`` would import the parent packages)."""
    parts = dotted.split(".")
    spec = importlib.machinery.PathFinder.find_spec(parts[0], [str(base), *sys.path])
    for part in parts[1:]:
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = importlib.machinery.PathFinder.find_spec(part, list(spec.submodule_search_locations))
    if spec is None or not spec.origin or not spec.has_location or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _check_factory(path: Path, function: str, text: str, fail: Fail) -> set[str]:
    """The top-level modules ``path`` imports; an error unless it defines (or imports) ``function``."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as error:
        raise fail(f"{text}: {path} is not valid Python (line {error.lineno}: {error.msg})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"{text}: {path} cannot be read: {error}") from None
    names: set[str] = set()
    imports: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imports.add(node.module.split(".")[0])
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if function not in names and "*" not in names:
        close = difflib.get_close_matches(function, sorted(names), n=1)
        raise fail(
            f"{text}: {path} has no function '{function}'"
            + (f" (did you mean '{close[0]}'?)" if close else " (expected a function that returns the model)")
        )
    return imports


def _factory_kind(imports: set[str], framework: Framework, path: Path, text: str, fail: Fail) -> tuple[ModelKind, str]:
    if framework == "pytorch":
        return "torch_factory", "stated as pytorch"
    if framework == "keras":
        return "keras_factory", "stated as keras"
    torch, keras = bool(imports & TORCH_MODULES), bool(imports & KERAS_MODULES)
    if torch and not keras:
        return "torch_factory", f"{path.name} imports torch (set framework: keras if it builds a Keras model)"
    if keras and not torch:
        return "keras_factory", f"{path.name} imports keras (set framework: pytorch if it builds a PyTorch model)"
    said = "both torch and keras" if torch else "neither torch nor keras"
    raise fail(
        f"{text}: cannot tell whether {path.name} builds a PyTorch or a Keras model (it imports {said})",
        "state it: probe.framework in the spec, or --model-framework pytorch|keras",
    )
