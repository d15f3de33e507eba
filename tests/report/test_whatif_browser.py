"""The live what-if page, driven in real Chromium: it agrees with ``advisor recommend``, as a person uses it.

Each test opens a rendered report as a file, moves controls the way a reader does (keyboard, typed
numbers, the reset and copy buttons, a link with a fragment) and compares what the page shows in
``#whatif-state`` with the engine's own report for the same priorities, to 1e-9.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.api import recommend
from advisor.report.html import render
from advisor.scoring.result import Recommendation
from tests.conftest import EXAMPLES
from tests.report.browser import Browser, Page, chromium

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="needs Chromium (apt-get install chromium)"),
]
TOLERANCE = 1e-9
STATE = "JSON.parse(document.getElementById('whatif-state').textContent)"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with Browser(tmp_path_factory.mktemp("chromium")) as opened:
        yield opened


def _page(browser: Browser, html_file: Path, fragment: str = "") -> Page:
    page = browser.page()
    page.open(html_file.as_uri() + fragment)
    return page


def _write(folder: Path, name: str, report: Recommendation) -> Path:
    path = folder / f"{name}.html"
    path.write_text(render(report), encoding="utf-8")
    return path


def _with_priorities(spec: Path, folder: Path, priorities: Mapping[str, float]) -> Path:
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    data["priorities"] = {**data.get("priorities", {}), **priorities}
    moved = folder / f"{spec.stem}-what-if.yaml"
    moved.write_text(yaml.safe_dump(data), encoding="utf-8")
    return moved


def assert_state_is(state: Mapping[str, Any], report: Recommendation) -> None:
    expected = [(s.framework, s.score) for s in report.ranking if not s.excluded]
    assert [r["framework"] for r in state["ranking"]] == [f for f, _ in expected]
    for shown, (_, score) in zip(state["ranking"], expected, strict=True):
        assert abs(shown["score"] - score) <= TOLERANCE
    for c in report.criteria:
        assert abs(state["shares"][c.criterion] - c.share) <= TOLERANCE, c.criterion
    assert [(t["target"], t["new_winner"]) for t in state["tipping_points"]] == [
        (t.target, t.new_winner) for t in report.tipping_points
    ]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_a_link_with_a_fragment_shows_what_recommend_gives(browser: Browser, tmp_path: Path, example: str) -> None:
    """Acceptance: report.html#p=production_serving:5 shows recommend's ranking and scores for that priority."""
    spec = EXAMPLES / example
    page = _page(browser, _write(tmp_path, "report", recommend(spec)), "#p=production_serving:5")
    state = page.evaluate(STATE)
    assert state["priorities"]["production_serving"] == 5
    assert_state_is(state, recommend(_with_priorities(spec, tmp_path, {"production_serving": 5})))
    assert page.evaluate("document.getElementById('whatif-error').hidden") is True
    assert page.errors() == []


def test_keyboard_typed_numbers_reset_and_copy_as_priorities(browser: Browser, tmp_path: Path) -> None:
    spec = EXAMPLES / "fraud-scoring-platform.yaml"
    page = _page(browser, _write(tmp_path, "report", recommend(spec)))
    before = page.evaluate(STATE)
    assert before["priorities"] == {}

    page.evaluate("document.getElementById('wr-team_fit').focus()")
    for _ in range(4):  # four steps of 0.25 with the arrow key, as a keyboard user would
        page.press("ArrowRight", "ArrowRight", 39)
    page.evaluate(
        "(() => { const n = document.getElementById('wn-development'); n.value = '2.35';"
        " n.dispatchEvent(new Event('change')); })()"
    )
    state = page.evaluate(STATE)
    assert state["priorities"] == {"team_fit": 3.0, "development": 2.35}
    assert page.evaluate("location.hash") == "#p=team_fit:3,development:2.35"

    copied = yaml.safe_load(page.evaluate("document.getElementById('whatif-yaml').value"))
    assert copied == {"priorities": {"team_fit": 3.0, "development": 2.35}}
    assert_state_is(state, recommend(_with_priorities(spec, tmp_path, copied["priorities"])))

    page.evaluate("document.getElementById('whatif-copy').click()")
    assert page.evaluate("document.getElementById('whatif-copied').textContent") != ""

    page.evaluate("document.getElementById('whatif-reset').click()")
    assert page.evaluate(STATE) == before
    assert page.evaluate("location.hash") == ""
    assert page.errors() == []


def test_a_spec_with_priorities_starts_from_them_and_copies_them_back(browser: Browser, tmp_path: Path) -> None:
    spec = _with_priorities(EXAMPLES / "tpu-recommender.yaml", tmp_path, {"team": 2, "browser": 1.5})
    page = _page(browser, _write(tmp_path, "report", recommend(spec)), "#p=team_fit:0.5")
    state = page.evaluate(STATE)
    assert state["priorities"] == {"team": 2, "browser": 1.5, "team_fit": 0.5}
    copied = yaml.safe_load(page.evaluate("document.getElementById('whatif-yaml').value"))["priorities"]
    assert_state_is(state, recommend(_with_priorities(spec, tmp_path, copied)))


def test_a_bad_fragment_entry_is_ignored_and_said(browser: Browser, tmp_path: Path) -> None:
    report = recommend(EXAMPLES / "keyword-spotting-mcu.yaml")
    page = _page(browser, _write(tmp_path, "report", report), "#p=nosuch:3,microcontroller:x,debugging:9")
    state = page.evaluate(STATE)
    assert state["priorities"] == {"debugging": 5}  # clamped to the scale, like a spec priority
    ignored = page.evaluate("document.getElementById('whatif-ignored').textContent")
    assert "nosuch:3" in ignored and "microcontroller:x" in ignored


def test_the_page_checks_itself_against_the_engine(browser: Browser, tmp_path: Path) -> None:
    """A golden vector the page's arithmetic does not reproduce is shown as an error, not hidden."""
    report = recommend(EXAMPLES / "keyword-spotting-mcu.yaml")
    good = _page(browser, _write(tmp_path, "good", report))
    assert good.evaluate("document.getElementById('whatif-error').hidden") is True
    assert "Checked on load against" in good.evaluate("document.getElementById('whatif-checked').textContent")

    assert report.whatif is not None
    vectors = list(report.whatif.vectors)
    first = vectors[0]
    wrong = first.ranking[0].model_copy(update={"score": first.ranking[0].score + 1e-6})
    vectors[0] = first.model_copy(update={"ranking": (wrong, *first.ranking[1:])})
    tampered = report.model_copy(update={"whatif": report.whatif.model_copy(update={"vectors": tuple(vectors)})})
    bad = _page(browser, _write(tmp_path, "bad", tampered))
    assert bad.evaluate("document.getElementById('whatif-error').hidden") is False
    assert "disagrees with the engine" in bad.evaluate("document.getElementById('whatif-error').textContent")
    assert any("self-check failed" in e for e in bad.errors())


def test_user_text_reaches_the_script_only_as_data(browser: Browser, tmp_path: Path) -> None:
    name = "</script><script>alert(1)</script>"
    spec = tmp_path / "hostile.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "name": name,
                "description": "<img src=x onerror=alert(2)> & </script><script>alert(3)</script>",
                "task": {"domain": "vision"},
            }
        ),
        encoding="utf-8",
    )
    page = _page(browser, _write(tmp_path, "hostile", recommend(spec)))
    assert page.dialogs() == []
    assert page.evaluate("document.querySelector('h1').textContent") == name
    assert page.evaluate(STATE)["project"] == name
    assert page.evaluate("document.scripts.length") == 2  # the data block and the page's own script
    assert page.errors() == []


def test_the_page_prints_without_the_controls(browser: Browser, tmp_path: Path) -> None:
    page = _page(browser, _write(tmp_path, "report", recommend(EXAMPLES / "fraud-scoring-platform.yaml")))
    shown = "getComputedStyle(document.querySelector('.whatif-weights')).display"
    assert page.evaluate(shown) != "none"
    page.call("Emulation.setEmulatedMedia", media="print")
    assert page.evaluate(shown) == "none"
    for control in ("whatif-reset", "whatif-copy", "wr-team_fit"):  # laid out nowhere when printed
        assert page.evaluate(f"document.getElementById('{control}').getClientRects().length") == 0, control
    assert json.loads(page.evaluate("JSON.stringify([...document.querySelectorAll('#whatif-ranking tr')].length)")) == 3
