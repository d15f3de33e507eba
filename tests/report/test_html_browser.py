"""The HTML report in a real browser: headless Chromium loads it, logs no error, fetches nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor.api import recommend
from advisor.report.html import render
from tests.probing import synthetic
from tests.report.browser import chromium, load
from tests.report.golden import FULL_CASE, SPECS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="needs Chromium (apt-get install chromium)"),
]

_LOADED = re.compile(
    r"""<(?:link|script|img|iframe|source|video|audio|embed|object|image|use)\b[^>]*?\b(?:src|href|data|srcset)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|@import|url\(\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def test_report_loads_in_chromium_without_errors_or_external_requests(tmp_path: Path) -> None:
    report = recommend(SPECS / f"{FULL_CASE}.yaml", evidence=synthetic.run(jax_step=0.015))
    assert len([s for s in report.ranking if not s.excluded]) == 3  # three candidates, three sets of bars
    html = render(report)
    assert "Measured evidence" in html and "API and tooling map" in html  # the sections under test are there
    assert not _LOADED.search(html), "the report must not load anything from the network"
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    screenshot = tmp_path / "report.png"

    errors, urls = load(page, screenshot, tmp_path / "profile")

    assert errors == []
    assert urls == [page.as_uri()], "only the page itself may be requested"
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_the_browser_check_catches_errors_and_fetches(tmp_path: Path) -> None:
    """The check itself: a page that logs an error and loads an image over the network fails it."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><title>bad</title><img src="https://example.invalid/x.png">'
        '<script>console.error("boom"); missing_function();</script>',
        encoding="utf-8",
    )
    assert _LOADED.search(page.read_text())

    errors, urls = load(page, tmp_path / "bad.png", tmp_path / "profile")

    assert any("boom" in e for e in errors) and any("missing_function" in e for e in errors)
    assert "https://example.invalid/x.png" in urls
