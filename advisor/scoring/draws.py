"""The confidence estimate's defaults: its seed, its number of draws and the range a user may ask for.

A module of constants, light enough for the CLI's option table to read without loading the engine.
"""

from __future__ import annotations

DEFAULT_SEED = 2026
DEFAULT_DRAWS = 2000
DRAWS_RANGE = (100, 100_000)
