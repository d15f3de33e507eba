"""Output parity: how far a converted model's outputs may be from its source model's, and how they are
compared.

Every route of every framework is judged here, by the same tolerances: float routes within an
absolute or relative error, full-integer (int8) routes within a share of the output's range. Outputs
of any framework (tensors, arrays, tuples, lists, dicts of them) are flattened to one float64 vector
first, so the comparison never depends on how a runtime packs its outputs.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

Parity = Literal["float", "int8"]  # how a route's outputs are judged
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


def flat(outputs: Any) -> np.ndarray:
    """Every floating-point leaf of a model's outputs (tensor, array, tuple, list, dict) as one float64 vector."""
    leaves: list[np.ndarray] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key in sorted(value, key=str):
                walk(value[key])
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)
        elif value is not None:
            leaves.append(np.asarray(to_numpy(value), dtype=np.float64).ravel())

    walk(outputs)
    return np.concatenate(leaves) if leaves else np.zeros(0)


def to_numpy(value: Any) -> Any:
    """A tensor of any framework as a NumPy array (detached, on the CPU)."""
    if hasattr(value, "detach"):  # torch
        return value.detach().float().cpu().numpy()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        return value.numpy()
    return np.asarray(value)
