"""framework-advisor: recommends a deep-learning framework from a project spec, with cited reasons.

The public library API is :mod:`advisor.api` (what its ``__all__`` names); the CLI in
:mod:`advisor.cli` is a thin layer over it. The package is layered (import-linter checks it): cli ->
api -> report and probing -> scoring -> migration -> rules -> knowledge -> matching -> spec -> evidence
-> reading and writing. Only the probes' child processes import torch, TensorFlow or JAX.
"""

__version__ = "0.1.0"
