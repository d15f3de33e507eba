"""framework-advisor: recommends a deep-learning framework from a project spec, with cited reasons.

The library API lives in :mod:`advisor.api`; the CLI in :mod:`advisor.cli` is a thin layer over it.
No framework is imported in the advisor process: torch, TensorFlow and JAX are imported only by their
folders under :mod:`advisor.probing`, each run in a child process of its own (pyproject's import contracts).
"""

__version__ = "0.1.0"
