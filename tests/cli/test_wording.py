"""What the CLI says reads well: wrapped at word boundaries to the terminal, one suggestion rule for
every "did you mean", and the same names accepted by ``init`` and ``validate``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor.cli.commands import app
from advisor.knowledge.load import KnowledgeBase
from advisor.spec.load import parse_spec
from advisor.suggest import closest
from advisor.wrapping import wrap
from tests.conftest import ROOT

WORDS = st.text(alphabet=st.characters(categories=("L", "N"), include_characters="-_./:"), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(["", "  ", "    "]), st.lists(WORDS, min_size=0, max_size=30)), max_size=6
    ),
    width=st.integers(min_value=40, max_value=120),
)
def test_wrapping_keeps_every_word_whole_and_within_the_width(lines: list[tuple[str, list[str]]], width: int) -> None:
    text = "\n".join(indent + " ".join(words) for indent, words in lines)
    wrapped = wrap(text, width=width)
    assert wrapped.split() == text.split()  # no word cut, lost or added
    for line in wrapped.splitlines():
        assert len(line) <= width or " " not in line.strip(), line  # only a lone long word may overflow


def _env(columns: int) -> dict[str, str]:
    return {**os.environ, "COLUMNS": str(columns)}


@pytest.mark.parametrize(
    "args",
    [
        ["kb", "list", "--criterion", "browser"],
        ["kb", "show", "onnx-runtime-web"],
        ["kb", "show", "seed:001_36e6ca2a42172dda.txt"],
        ["init", "-", "--defaults", "--no-recommend", "--set", "priorities=mobile=4"],
        ["recommend", "no-such-spec.yaml", "-f", "json"],
    ],
)
def test_cli_text_wraps_at_word_boundaries(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "advisor", *args], capture_output=True, text=True, env=_env(60), cwd=ROOT, timeout=60
    )
    text = result.stdout + result.stderr
    assert text.strip()
    for line in text.splitlines():
        assert len(line) <= 60 or " " not in line.strip() or "https://" in line, line


@pytest.mark.parametrize(
    ("word", "known", "meant"),
    [
        ("novice", ["unknown", "none", "beginner", "intermediate", "expert"], "beginner"),
        ("advanced", ["unknown", "none", "beginner", "intermediate", "expert"], "expert"),
        ("mobile", ["browser", "mobile_edge", "microcontroller"], "mobile_edge"),
        ("torch", ["pytorch", "tensorflow", "jax"], "pytorch"),
        ("visoin", ["vision", "nlp"], "vision"),
        ("torch", ["vision", "nlp"], None),  # a common word only names what is known here
    ],
)
def test_suggestions_know_common_words_and_prefixes(word: str, known: list[str], meant: str | None) -> None:
    assert closest(word, known) == meant


def test_validate_suggests_beginner_for_novice(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: x\ntask: {domain: vision}\nteam: {experience: {tensorflow: novice}}\n")
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2 and "did you mean 'beginner'?" in result.stderr


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["mobile", "mobile_edge", "Mobile_Edge", "browser", "brows", "team", "tea", "perf"]))
def test_init_and_validate_accept_the_same_priority_names(kb: KnowledgeBase, name: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("names")
    init = CliRunner().invoke(
        app,
        [
            *("init", str(folder / "p.yaml"), "--defaults", "--no-recommend"),
            *("--set", "task.domain=vision", "--set", f"priorities={name}=4"),
        ],
    )
    try:
        parse_spec(f"name: x\ntask: {{domain: vision}}\npriorities: {{{name}: 4}}\n", kb)
        validated = True
    except Exception:
        validated = False
    lowered = name.lower() in [*kb.criteria, *kb.groups]
    assert (init.exit_code == 0) == (validated or lowered), init.stderr  # init also takes a name in any case
    if init.exit_code != 0 and closest(name, [*kb.criteria, *kb.groups]):
        assert "did you mean" in init.stderr


def test_a_report_points_at_the_spec_where_the_user_typed_it(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    spec = folder / "move.yaml"
    spec.write_text(
        "name: move\ntask: {domain: vision}\ncodebase: {framework: pytorch, lines_of_code: 5000, models: 2}\n"
        "constraints: {exclude_frameworks: [pytorch]}\n"
    )
    result = CliRunner().invoke(app, ["recommend", str(spec)], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert f"The plan: advisor migrate {spec}" in " ".join(result.stdout.split())
    adr = CliRunner().invoke(app, ["recommend", str(spec), "-f", "adr"])
    assert f"advisor migrate {spec}" in adr.stdout
