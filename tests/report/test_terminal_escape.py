"""The terminal report shows user text as written, but no control character reaches the terminal.

The project's name (and everything in an evidence file) comes from the user: ESC sequences that clear
the screen, retitle the window or plant an OSC 8 hyperlink, NUL, C1 and bidi overrides are shown as
visible escapes, and rich markup in the text (``[red]``) is shown, not obeyed.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from advisor.api import recommend
from advisor.report.terminal import probe_table, render, shown
from advisor.scoring.result import ProbeRow, Recommendation
from tests.conftest import EXAMPLES
from tests.probing import synthetic
from tests.report.golden import SPECS
from tests.test_errors_escape import TEXT_CHARS, unsafe_in

CSI_CLEAR = "\x1b[2J\x1b[H"
OSC8_LINK = "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\"
TITLE = "\x1b]0;pwned\x07"
NAME = f"Evil{CSI_CLEAR}\x00 {OSC8_LINK} {TITLE} \x9b31m \u202egnp.exe"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colours (color=True), the only escapes allowed out


def _spec(tmp_path: Path, name: str) -> Path:
    text = (EXAMPLES / "llm-finetuning-lab.yaml").read_text(encoding="utf-8")
    head, rest = text.split("\nname: ", 1)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"{head}\nname: {json.dumps(name)}\n{rest.split(chr(10), 1)[1]}", encoding="utf-8")
    return spec


@cache
def _report() -> Recommendation:
    return recommend(EXAMPLES / "llm-finetuning-lab.yaml")


@pytest.mark.parametrize("color", [False, True])
def test_a_name_with_escape_sequences_renders_without_them(tmp_path: Path, color: bool) -> None:
    report = recommend(_spec(tmp_path, NAME))
    assert report.project == NAME  # the model keeps the text as written: JSON, HTML and Markdown need it
    out = render(report, width=120, color=color)  # wide enough that the escaped name is not wrapped
    plain = SGR.sub("", out)
    assert not unsafe_in(plain) and "\x1b" not in plain and "\x00" not in plain
    assert "Evil\\x1b[2J\\x1b[H\\x00 \\x1b]8;;https://evil.example\\x1b\\click me" in plain.replace("\n", "")
    assert "\\x1b]0;pwned\\x07" in plain.replace("\n", "") and "\\x9b31m \\u202egnp.exe" in plain.replace("\n", "")


def test_a_newline_in_the_name_cannot_fake_a_line_of_the_report() -> None:
    out = render(_report().model_copy(update={"project": "x\nPyTorch wins, confidence high"}))
    assert out.splitlines()[0] == "Framework recommendation: x\\nPyTorch wins, confidence high"


def test_markup_in_user_text_is_shown_literally() -> None:
    """In the title, and in lines the renderer prints as plain strings (an evidence file's comparisons)."""
    report = recommend(SPECS / "plant-app-keras3-code.yaml", evidence=synthetic.run())
    probe = report.evidence.probe
    assert probe is not None
    first = probe.comparisons[0].model_copy(update={"workload": "[red]cnn[/red]"})
    evidence = report.evidence.model_copy(update={"probe": probe.model_copy(update={"comparisons": (first,)})})
    name = "[red]x[/red] [bold]y[/] [link=https://evil.example]z[/link] :smile:"
    out = SGR.sub("", render(report.model_copy(update={"project": name, "evidence": evidence}), width=120, color=True))
    assert f"Framework recommendation: {name}" in out
    assert f"  [red]cnn[/red] ({first.mode}): {first.verdict} [ratio {first.ratio:.3f}, " in out


def test_every_string_of_the_report_is_made_printable() -> None:
    """Evidence files, notes and names all reach the renderer; a bad byte anywhere is escaped."""
    report = _report()
    hostile = report.model_copy(
        update={
            "notes": (*report.notes, report.notes[0].model_copy(update={"text": f"quoted {TITLE}"})),
            "ranking": tuple(s.model_copy(update={"warnings": (f"w{CSI_CLEAR}",)}) for s in report.ranking),
        }
    )
    out = render(hostile)
    assert "Note: quoted \\x1b]0;pwned\\x07" in out and "w\\x1b[2J\\x1b[H" in out
    assert not unsafe_in(out)


def test_a_clean_report_is_not_copied() -> None:
    report = _report()
    assert shown(report) is report


def test_shown_escapes_dict_keys_and_nested_models() -> None:
    report = _report()
    criterion = report.criteria[0]
    ratings = {f"{k}\x1b": v for k, v in criterion.ratings.items()}
    dirty = report.model_copy(update={"criteria": (criterion.model_copy(update={"ratings": ratings}),)})
    assert set(shown(dirty).criteria[0].ratings) == {f"{k}\\x1b" for k in criterion.ratings}


def _row(message: str) -> ProbeRow:
    """A failed probe cell: every measurement missing, only the message to show."""
    fields = {"framework": "pytorch", "workload": "mlp", "mode": "eager", "status": "error", "noisy": False}
    measures = dict.fromkeys(name for name in ProbeRow.model_fields if name not in {*fields, "message"})
    return ProbeRow(**fields, **measures, message=message)


def test_probe_table_is_safe_on_a_console_that_reads_markup() -> None:
    """The CLI prints this table on its own console, which reads markup in plain strings."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=400, color_system=None, highlight=False)  # markup on, as the CLI's
    console.print(probe_table((_row(f"[red]boom[/red] {TITLE}{CSI_CLEAR}"),), title=f"run on [b]{TITLE}"))
    out = buffer.getvalue()
    assert "error: [red]boom[/red] \\x1b]0;pwned\\x07\\x1b[2J\\x1b[H" in out
    assert "run on [b]\\x1b]0;pwned\\x07" in out and not unsafe_in(out)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.text(alphabet=TEXT_CHARS, min_size=1, max_size=120))
def test_no_name_puts_a_control_character_on_the_terminal(name: str) -> None:
    out = render(_report().model_copy(update={"project": name}), color=True)
    assert not unsafe_in(SGR.sub("", out))


def test_the_real_process_writes_no_control_bytes(tmp_path: Path) -> None:
    """``python -m advisor recommend`` (its fast path, no typer): the bytes on stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", str(_spec(tmp_path, NAME))],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    stdout = done.stdout.decode("utf-8")
    assert stdout.startswith("Framework recommendation: Evil\\x1b[2J") and not unsafe_in(stdout)
