"""Error messages show what the user wrote, but never hand a control character to the terminal.

A key, a value or a file name can hold ESC sequences (clear screen, window title, OSC 8 hyperlinks),
NUL, CR or bidi overrides; errors print them as visible escapes (``\\x1b``), one line, exit 2.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor.cli.commands import app
from advisor.errors import AdvisorError, SpecError, printable
from tests.conftest import EXAMPLES

# What no terminal may receive from user text: C0 but newline and tab, DEL, C1, the Unicode line and
# paragraph separators, bidi embeddings/overrides/isolates, lone surrogates. Independent of the code.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
HOSTILE = "k\x1b[2J\x1b[H\x00\x1b]0;pwned\x07\x1b]8;;https://evil.example\x1b\\x\x1b]8;;\x1b\\\x9b31m\u202e\r"
# Any character, surrogates included (undecodable file names), with the dangerous ones made common.
TEXT_CHARS = st.one_of(
    st.sampled_from([*"\x00\x07\x1b\x7f\x9b\r\n\t\u202e\u2066\u2028\udcff[]\\"]),
    st.characters(exclude_categories=()),
)
EXAMPLE = (EXAMPLES / "llm-finetuning-lab.yaml").read_text()


def unsafe_in(text: str, *, multiline: bool = True) -> list[str]:
    found = UNSAFE.findall(text)
    return found if multiline else found + re.findall("[\n\t]", text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\x00b", "a\\x00b"),
        ("\x07\x08\x7f", "\\x07\\x08\\x7f"),
        ("\x9b2J", "\\x9b2J"),
        ("\u202eexe.txt", "\\u202eexe.txt"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("bad\udcffname", "bad\\udcffname"),
        ("one\ntwo\tthree\r", "one\\ntwo\\tthree\\r"),
        ("C:\\Users\\me", "C:\\Users\\me"),
        ("Ünïcødé 名前 – ok", "Ünïcødé 名前 – ok"),
    ],
)
def test_printable_shows_controls_as_escapes(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_multiline_text_keeps_newlines_and_tabs_only() -> None:
    assert printable("a\n\tb\r\x1b", multiline=True) == "a\n\tb\\r\\x1b"


def test_clean_text_is_returned_as_is() -> None:
    text = "plain text: [red]x[/red] & <b>"
    assert printable(text) is text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=TEXT_CHARS), st.booleans())
def test_printable_never_leaves_a_control_and_is_idempotent(text: str, multiline: bool) -> None:
    once = printable(text, multiline=multiline)
    assert not unsafe_in(once, multiline=multiline)
    assert printable(once, multiline=multiline) == once
    assert (once == text) == (not unsafe_in(text, multiline=multiline))


def test_error_text_escapes_path_field_and_message_but_keeps_them_for_callers() -> None:
    error = SpecError(f"unknown value '{HOSTILE}'", path=f"dir/{HOSTILE}.yaml", line=4, field=f"task.{HOSTILE}")
    text = str(error)
    assert not unsafe_in(text, multiline=False)
    assert text.startswith("dir/k\\x1b[2J\\x1b[H\\x00\\x1b]0;pwned\\x07")
    assert ".yaml:4: field 'task.k\\x1b[2J" in text
    assert error.field == f"task.{HOSTILE}" and error.path == f"dir/{HOSTILE}.yaml"  # as given, for re-raising


def test_a_newline_in_a_message_cannot_start_a_fake_line() -> None:
    assert str(AdvisorError("bad\nerror: everything is fine")) == "bad\\nerror: everything is fine"


def test_hint_keeps_its_lines_but_not_controls() -> None:
    error = AdvisorError("x", hint=f"choices: a, b\n  values: {HOSTILE}")
    assert error.hint is not None
    assert error.hint.startswith("choices: a, b\n  values: k\\x1b[2J")
    assert not unsafe_in(error.hint)


runner = CliRunner()


def _spec_with_key(tmp_path: Path, key: str) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.replace("task:\n", f"task:\n  {json.dumps(key)}: 1\n", 1), encoding="utf-8")
    return spec


@pytest.mark.parametrize("command", ["validate", "recommend"])
def test_unknown_key_with_escape_sequences_is_one_clean_error(tmp_path: Path, command: str) -> None:
    spec = _spec_with_key(tmp_path, f"do{HOSTILE}main")
    result = runner.invoke(app, [command, str(spec)], color=True)  # color: click would strip some ANSI
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {spec}:") and "field 'task.dok\\x1b[2J\\x1b[H\\x00" in lines[0]
    assert "unknown key" in lines[0]
    assert not unsafe_in(result.stderr) and result.stdout == ""


def test_file_name_with_escape_sequences_is_shown_escaped(tmp_path: Path) -> None:
    missing = tmp_path / "a\x1b]0;pwned\x07\x1b[2J.yaml"
    result = runner.invoke(app, ["validate", str(missing)], color=True)
    assert result.exit_code == 2
    assert "a\\x1b]0;pwned\\x07\\x1b[2J.yaml: file not found" in result.stderr
    assert not unsafe_in(result.stderr)


def test_option_values_echoed_in_errors_are_escaped() -> None:
    result = runner.invoke(app, ["probe", "--framework", "\x1b[2Jtorch\x1b]0;t\x07"], color=True)
    assert result.exit_code == 2
    assert "'\\x1b[2Jtorch\\x1b]0;t\\x07' is not one of pytorch, tensorflow" in result.stderr
    assert not unsafe_in(result.stderr)


def test_the_real_process_writes_no_control_bytes(tmp_path: Path) -> None:
    """Through ``python -m advisor`` (the fast path, then the full CLI): the bytes on stderr, exit 2."""
    spec = _spec_with_key(tmp_path, HOSTILE)
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", str(spec)], capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    stderr = done.stderr.decode("utf-8")
    assert stderr.count("\n") == 2 and stderr.startswith("error: ")  # the error and its hint
    assert "\\x1b]8;;https://evil.example" in stderr and not unsafe_in(stderr)


def test_validate_and_kb_commands_print_user_text_without_control_characters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`advisor validate` echoes the spec's name: escaped, like every other user text on the terminal."""
    from typer.testing import CliRunner

    from advisor.cli.commands import app

    spec = tmp_path / "spec.yaml"
    spec.write_text('name: "lab\\x1b]0;owned\\x07\\x1b[2J"\ntask: {domain: vision}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;owned" in result.stdout
