"""framework-advisor: recommends a deep-learning framework from a project spec, with cited reasons.

The library API lives in :mod:`advisor.api`; the CLI in :mod:`advisor.cli` is a thin layer over it.
Nothing under ``advisor`` imports torch or TensorFlow.
"""

__version__ = "0.1.0"
