"""Each format renders the golden examples exactly (regenerate: ``python -m tests.report.golden``)."""

from __future__ import annotations

import pytest

from tests.report.golden import (
    CASES,
    FULL_CASE,
    FULL_FORMATS,
    MIGRATE_CASES,
    SUFFIX,
    golden_path,
    migrate_golden_path,
    migrate_rendered,
    rendered,
)


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("case", CASES)
def test_report_matches_golden_file(case: str, fmt: str) -> None:
    expected = golden_path(case, fmt).read_text(encoding="utf-8")
    assert rendered(case, fmt) == expected, "output changed: review it, then run python -m tests.report.golden"


@pytest.mark.parametrize("fmt", FULL_FORMATS)
def test_report_with_probe_and_migration_matches_golden_file(fmt: str) -> None:
    expected = golden_path(FULL_CASE, fmt).read_text(encoding="utf-8")
    assert rendered(FULL_CASE, fmt) == expected, "output changed: review it, then run python -m tests.report.golden"


@pytest.mark.parametrize("fmt", ["html", "adr"])
def test_design_review_formats_are_stable(fmt: str) -> None:
    """Same input, same bytes: no timestamps, no random ids, no dict-order surprises."""
    assert rendered(FULL_CASE, fmt) == rendered(FULL_CASE, fmt)


@pytest.mark.parametrize(("case", "to"), MIGRATE_CASES)
def test_migration_plan_matches_golden_file(case: str, to: str) -> None:
    expected = migrate_golden_path(case, to).read_text(encoding="utf-8")
    assert migrate_rendered(case, to) == expected, "plan changed: review it, then run python -m tests.report.golden"
