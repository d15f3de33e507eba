"""Shared fixtures: the shipped knowledge base and rules, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.api import load_context
from advisor.knowledge.load import KnowledgeBase
from advisor.rules.model import Rule

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def context() -> tuple[KnowledgeBase, tuple[Rule, ...]]:
    return load_context()


@pytest.fixture(scope="session")
def kb(context: tuple[KnowledgeBase, tuple[Rule, ...]]) -> KnowledgeBase:
    return context[0]


@pytest.fixture(scope="session")
def rules(context: tuple[KnowledgeBase, tuple[Rule, ...]]) -> tuple[Rule, ...]:
    return context[1]
