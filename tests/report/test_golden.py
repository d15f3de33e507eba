"""Each format renders the golden examples exactly (regenerate: ``python -m tests.report.golden``)."""

from __future__ import annotations

import pytest

from tests.report.golden import CASES, SUFFIX, golden_path, rendered


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("case", CASES)
def test_report_matches_golden_file(case: str, fmt: str) -> None:
    expected = golden_path(case, fmt).read_text(encoding="utf-8")
    assert rendered(case, fmt) == expected, "output changed: review it, then run python -m tests.report.golden"
