"""``-o FILE`` without ``-f`` writes the format the file's extension names; a contradicting ``-f`` is
an error; an extension no format claims keeps the terminal text and says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor.cli.commands import app
from advisor.cli.common import format_for
from advisor.errors import AdvisorError
from advisor.report.formats import EXTENSIONS, FORMATS
from tests.conftest import EXAMPLES

EXAMPLE = str(EXAMPLES / "llm-finetuning-lab.yaml")


@pytest.mark.parametrize(("name", "starts"), [("r.html", "<!DOCTYPE html>"), ("r.md", "# Framework"), ("r.json", "{")])
def test_recommend_writes_what_the_extension_names(tmp_path: Path, name: str, starts: str) -> None:
    target = tmp_path / name
    result = CliRunner().invoke(app, ["recommend", EXAMPLE, "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.read_text().startswith(starts)
    if name.endswith(".json"):
        assert json.loads(target.read_text())["winner"]


def test_a_format_that_contradicts_the_file_name_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["recommend", EXAMPLE, "-o", str(target), "-f", "markdown"])
    assert result.exit_code == 2 and "contradicts" in result.stderr and not target.exists()
    agreeing = CliRunner().invoke(app, ["recommend", EXAMPLE, "-o", str(target), "-f", "html"])
    assert agreeing.exit_code == 0 and target.read_text().startswith("<!DOCTYPE html>")


def test_an_unknown_extension_keeps_the_terminal_text_and_says_so(tmp_path: Path) -> None:
    target = tmp_path / "report.out"
    result = CliRunner().invoke(app, ["recommend", EXAMPLE, "-o", str(target)])
    assert result.exit_code == 0 and "gets the terminal text" in result.stderr
    assert target.read_text().startswith("Framework recommendation")
    plain = CliRunner().invoke(app, ["recommend", EXAMPLE, "-o", str(tmp_path / "report.txt")])
    assert plain.exit_code == 0 and "terminal text" not in plain.stderr


def test_migrate_picks_its_format_from_the_extension_too(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    result = CliRunner().invoke(app, ["migrate", EXAMPLE, "-o", str(target)])
    assert result.exit_code == 0 and target.read_text().startswith("# Migration plan")
    refused = CliRunner().invoke(app, ["migrate", EXAMPLE, "-o", str(tmp_path / "plan.html")])
    assert refused.exit_code == 0 and "gets the terminal text" in refused.stderr  # migrate has no HTML


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(min_size=0, max_size=12),
    suffix=st.sampled_from(["", *EXTENSIONS, ".HTML", ".Md", ".yaml", ".x"]),
    given_format=st.none() | st.sampled_from(list(FORMATS)),
)
def test_the_chosen_format_is_always_the_given_one_or_the_named_one(
    name: str, suffix: str, given_format: str | None
) -> None:
    output = name + suffix
    implied = EXTENSIONS.get(Path(output).suffix.lower()) if output != "-" and Path(output).suffix else None
    try:
        chosen = format_for(output, given_format, tuple(FORMATS), EXTENSIONS)
    except AdvisorError:
        assert given_format is not None and implied is not None and implied != given_format
        return
    assert chosen in FORMATS
    if given_format is not None:
        assert chosen == given_format
    else:
        assert chosen == (implied or "terminal")
