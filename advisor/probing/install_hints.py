"""Every ``pip install`` line the probes suggest, each written once and naming pyproject.toml's extras.

The launcher says how to install a framework that is missing; a deployment route says how to install a
converter it needs (:func:`not_installed`). Where an extra exists the line names it, so what gets
installed is what the extra pins (``framework-advisor[jax]`` pins jax, Flax and jax2onnx together, where
an unpinned ``jax[cpu]`` would pull a JAX the probes were never run with);
tests/probing/test_install_hints.py checks every line against pyproject.toml.
"""

from __future__ import annotations

from advisor.evidence.protocol import Runtime

DEPLOY = "pip install 'framework-advisor[deploy]'"
TORCH = "pip install 'framework-advisor[torch]' (CPU-only machines: the CPU build from PyTorch's CPU wheel index first)"
TENSORFLOW = "pip install 'framework-advisor[tensorflow]' (CPU-only machines: tensorflow-cpu instead)"
JAX = "pip install 'framework-advisor[jax]'"
JAX_GPU = "jax[cuda12]==0.10.2"  # the CUDA plugin at the version the jax extra pins

FRAMEWORKS: dict[Runtime, tuple[str, str]] = {  # what each child imports first, and how to install it
    "pytorch": ("torch", TORCH),
    "tensorflow": ("tensorflow", TENSORFLOW),
    "jax": ("jax", f"{JAX} (NVIDIA GPUs: {JAX_GPU} as well)"),
    "onnxruntime": ("onnxruntime", DEPLOY),
}

NOT_IN_AN_EXTRA = "not in the deploy extra, whose packages it would downgrade"
CONVERTERS: dict[str, str] = {  # a module a deployment route imports -> how to install it
    "ai_edge_litert": DEPLOY,
    "executorch": DEPLOY,
    "onnx": DEPLOY,
    "onnxruntime": DEPLOY,
    "onnxscript": DEPLOY,
    "tf2onnx": DEPLOY,
    "jax2onnx": JAX,
    "tensorflow": TENSORFLOW,
    "litert_torch": f"pip install litert-torch (PyTorch's route to LiteRT; {NOT_IN_AN_EXTRA})",
    "onnx2tf": f"pip install onnx2tf ({NOT_IN_AN_EXTRA})",
    "coremltools": "pip install coremltools",
    "tensorflowjs": "pip install tensorflowjs",
}


def not_installed(module: str) -> str:
    """Why a route that imports ``module`` was not checked, and how to install it."""
    return f"{module} is not installed: {CONVERTERS[module]}"
