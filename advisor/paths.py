"""Finds the data folders (``rules/``, ``knowledge_base/``) in a wheel and in an editable checkout.

A wheel carries them under ``advisor/_data/`` (hatchling force-include). An editable install cannot see
that copy, so the checkout's top-level folders are the fallback. One function, so no caller guesses.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Path of the data folder ``name`` (``"rules"`` or ``"knowledge_base"``): packaged copy first."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} is missing from this installation")
