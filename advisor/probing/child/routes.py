"""Shared parts of the deployment checks: parity against the source model, timing, and the result row.

Each framework module converts its own probe models (in its own child process) and hands the two
output arrays here, so every route is judged by the same tolerance rules.
"""

from __future__ import annotations

import importlib.util
import re
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from advisor.probing.protocol import DeployCheck, DeployTarget, ProbeRequest, WorkloadName

FLOAT_TOLERANCE = (1e-4, 1e-3)  # max abs, max rel (relative to the output's largest magnitude)
INT8_TOLERANCE = 0.1  # max abs error relative to the float output's range, after dequantisation


def parity(reference: Any, candidate: Any, *, quantized: bool = False) -> tuple[float, float, str, bool]:
    """(max abs error, max relative error, the criterion, passed) of ``candidate`` against ``reference``."""
    ref = np.asarray(reference, dtype=np.float64)
    out = np.asarray(candidate, dtype=np.float64).reshape(ref.shape)
    abs_err = float(np.max(np.abs(ref - out)))
    scale = float(np.max(np.abs(ref))) or 1.0
    if quantized:
        span = float(np.max(ref) - np.min(ref)) or 1.0
        rel = abs_err / span
        return abs_err, rel, f"max abs error <= {INT8_TOLERANCE:g} x output range (int8)", rel <= INT8_TOLERANCE
    rel = abs_err / scale
    ok = abs_err <= FLOAT_TOLERANCE[0] or rel <= FLOAT_TOLERANCE[1]
    return abs_err, rel, f"max abs <= {FLOAT_TOLERANCE[0]:g} or max rel <= {FLOAT_TOLERANCE[1]:g} (fp32)", ok


def run_tflite(interpreter_class: Any, content: bytes, inputs: Sequence[Any]) -> list[np.ndarray]:
    """Every output of a LiteRT model run on ``inputs`` (in the interpreter's input order), dequantised:
    a full-integer model takes and gives int8 tensors, scaled here so its outputs compare with the source's."""
    interpreter = interpreter_class(model_content=content)
    details = interpreter.get_input_details()
    for detail, x in zip(details, inputs, strict=False):
        interpreter.resize_tensor_input(detail["index"], list(np.shape(x)))
    interpreter.allocate_tensors()
    for detail, x in zip(details, inputs, strict=False):
        scale, zero = detail["quantization"]
        value = np.round(x / scale + zero).astype(detail["dtype"]) if scale else np.asarray(x).astype(detail["dtype"])
        interpreter.set_tensor(detail["index"], value)
    interpreter.invoke()
    outputs = []
    for out in interpreter.get_output_details():
        value = interpreter.get_tensor(out["index"])
        scale, zero = out["quantization"]
        outputs.append((value.astype(np.float32) - zero) * scale if scale else value)
    return outputs


def size_of(path: Path) -> int:
    """Bytes of a file, or of every file under a directory (a SavedModel is a directory)."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def check(
    target: DeployTarget,
    workload: WorkloadName,
    route: str,
    run: Callable[[], tuple[Any, Any, Path | None]],
    *,
    quantized: bool = False,
) -> DeployCheck:
    """Run one conversion: ``run`` returns (reference output, converted output, artifact path).

    A converter error becomes status ``failed`` with the converter's own message (the last lines, which
    name the missing op); outputs outside tolerance become ``parity_failed``.
    """
    started = time.perf_counter()
    try:
        reference, converted, artifact = run()
    except Exception as error:  # the converter's message is the evidence
        return DeployCheck(
            target=target,
            workload=workload,
            route=route,
            status="failed",
            message=converter_message(error),
            convert_s=time.perf_counter() - started,
        )
    elapsed = time.perf_counter() - started
    abs_err, rel_err, tolerance, ok = parity(reference, converted, quantized=quantized)
    return DeployCheck(
        target=target,
        workload=workload,
        route=route,
        status="ok" if ok else "parity_failed",
        max_abs_error=abs_err,
        max_rel_error=rel_err,
        tolerance=tolerance,
        artifact_bytes=size_of(artifact) if artifact is not None else None,
        convert_s=elapsed,
        message="" if ok else "outputs differ beyond the tolerance",
    )


KEY_LINE = re.compile(r"(^|\s)error:|not supported|unsupported|neither a custom op|requires|cannot|could not", re.I)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# How each converter names the op it cannot handle (first match wins): torch.onnx's dynamo exporter,
# ExecuTorch's edge verifier, the LiteRT (TFLite) converter, coremltools, onnxruntime and torch.export.
UNSUPPORTED_OP = (
    re.compile(r"No ONNX function found for <OpOverload\(op='([\w.:]+)'"),
    re.compile(r"Operator (?:torch\._ops\.)?([\w.:]+) is not in Core ATen opset"),
    re.compile(r"'([\w.]+)' op is neither a custom op nor a flex op"),
    re.compile(r"convert function for op '([\w.:]+)' not implemented"),
    re.compile(r"Could not find an implementation for (\w+)\("),
    re.compile(r"[Uu]nsupported (?:op|operator|node)[:\s]+'?([\w.:]+)"),
)


def unsupported_op(text: str) -> str | None:
    """The first op a converter's message says it cannot convert, where it says so."""
    for pattern in UNSUPPORTED_OP:
        found = pattern.search(text)
        if found:
            return found.group(1)
    return None


def converter_message(error: BaseException, limit: int = 1200) -> str:
    """The informative part of a converter error: the op it could not convert (where it names one), then
    its error lines before the rest.

    Converter errors often end in pages of IR; the lines that say what is unsupported come first here.
    """
    text = ANSI.sub("", "".join(traceback.format_exception_only(type(error), error)).strip())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    key = [line for line in lines if KEY_LINE.search(line)]
    chosen = " | ".join(dict.fromkeys(key[:6] or lines[:3]))
    op = unsupported_op(text)
    if op is not None:
        chosen = f"first unsupported op: {op} | {chosen}"
    return chosen[:limit]


def missing_module(*modules: str) -> str | None:
    """The first of ``modules`` that is not installed (checked without importing it), or None."""
    return next((m for m in modules if importlib.util.find_spec(m) is None), None)


CheckOne = Callable[[DeployTarget, Path], DeployCheck]


def for_each_target(
    request: ProbeRequest, started: float, folder: Path, prepare: Callable[[WorkloadName], CheckOne]
) -> list[DeployCheck]:
    """Every requested target for every workload, within the request's deployment budget.

    ``prepare`` builds a workload's model and reference output once and returns the per-target check.
    """
    checks: list[DeployCheck] = []
    for name in request.workloads:
        check_target = prepare(name)
        for target in request.deploy:
            if time.perf_counter() - started > request.deploy_budget_s:
                checks.append(not_checked(target, name, "-", "deployment-check budget exhausted"))
            else:
                checks.append(check_target(target, folder))
    return checks


def not_checked(target: DeployTarget, workload: WorkloadName, route: str, why: str) -> DeployCheck:
    return DeployCheck(target=target, workload=workload, route=route, status="not_checked", message=why)
