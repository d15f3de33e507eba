"""``advisor init`` on a real terminal: prompts and messages quote user text (the file name, which is
also the default project name), and no control character in it reaches the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.questionnaire import run_init
from tests.test_errors_escape import unsafe_in

EVIL = "evil\x1b]0;pwned\x07\x1b[2J\u202e"
SHOWN = "evil\\x1b]0;pwned\\x07\\x1b[2J\\u202e"


class Typist:
    """Types ``n`` at every prompt, and gives up (end of input) after a few: a test never loops."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def __call__(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        if len(self.prompts) > 5:
            raise EOFError
        return "n"


def test_init_says_file_names_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typist = Typist()
    monkeypatch.setattr("builtins.input", typist)
    monkeypatch.chdir(tmp_path)
    code = run_init(f"{EVIL}.yaml", interactive=True, defaults=True, answers=["task.domain=vision"], recommend=None)
    assert code == 0 and (tmp_path / f"{EVIL}.yaml").is_file()  # the file itself has the name as given
    out = capsys.readouterr().out
    assert f"Writing {SHOWN}.yaml." in out and f"wrote {SHOWN}.yaml" in out and not unsafe_in(out)


def test_prompts_on_a_terminal_are_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The prompt of a question whose default came from a file name (``name (default: ...)``)."""
    from advisor.questionnaire import _terminal_ask

    typist = Typist()
    monkeypatch.setattr("builtins.input", typist)
    assert _terminal_ask("spec.yaml")(f"name (default: {EVIL}): ") == "n"
    assert typist.prompts == [f"name (default: {SHOWN}): "]
