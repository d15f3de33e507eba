"""Shared fixtures: the shipped knowledge base and rules, loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from advisor.api import load_context
from advisor.knowledge.load import KnowledgeBase
from advisor.rules.model import Rule

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# GNU readline, loaded in the pytest process, exports COLUMNS and LINES (80x24 without a terminal) at the
# C level, unseen by os.environ; child processes would then wrap their output as if on an 80-column
# terminal. Clear them, so a child sees what it would see in a pipe; a test that wants a width sets one.
for _name in ("COLUMNS", "LINES"):
    os.environ[_name] = ""
    del os.environ[_name]


@pytest.fixture(scope="session")
def context() -> tuple[KnowledgeBase, tuple[Rule, ...]]:
    return load_context()


@pytest.fixture(scope="session")
def kb(context: tuple[KnowledgeBase, tuple[Rule, ...]]) -> KnowledgeBase:
    return context[0]


@pytest.fixture(scope="session")
def rules(context: tuple[KnowledgeBase, tuple[Rule, ...]]) -> tuple[Rule, ...]:
    return context[1]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that fork this process run first: JAX and TensorFlow start threads when imported, and a
    fork after that can deadlock the child (JAX warns that it will), so no framework may be imported
    in-process before them, whatever the order the files are collected in."""
    items.sort(key=lambda item: item.get_closest_marker("forks") is None)  # stable: otherwise as collected
