"""The entry point (advisor.cli.main): everyday ``recommend`` runs without building typer, byte for byte
like the typer command, because both read one option table and call one implementation; the quick exit
never skips work that is waiting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from advisor.cli import options, quick
from advisor.cli import recommend as recommending
from advisor.cli.commands import app
from tests.conftest import EXAMPLES

EXAMPLE = EXAMPLES / "llm-finetuning-lab.yaml"
DEFAULTS: dict[str, Any] = {option.name: option.default for option in options.RECOMMEND}


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_the_typer_command_is_the_option_table() -> None:
    command = typer.main.get_command(app).commands["recommend"]  # type: ignore[attr-defined]
    params = {p.name: p for p in command.params}
    assert list(params) == ["spec", *(option.name for option in options.RECOMMEND)]
    for option in options.RECOMMEND:
        param = params[option.name]
        if option.kind == "switch":
            assert param.opts == [option.flags[0]] and param.secondary_opts == [option.flags[1]]
        else:
            assert tuple(param.opts) == option.flags and not param.secondary_opts
        assert getattr(param.default, "value", param.default) == option.default, option.name
        assert param.help == option.help
    assert tuple(params["format"].type.choices) == options.FORMAT.choices  # type: ignore[attr-defined]
    draws = next(o for o in options.RECOMMEND if o.name == "draws")
    assert (params["draws"].type.min, params["draws"].type.max) == draws.bounds  # type: ignore[attr-defined]
    assert params["seed"].type.name == "integer" or params["seed"].type.name == "int"
    for name in ("spec", "knowledge", "rules"):
        path_type = params[name].type
        assert path_type.name == "path" and not path_type.exists and not path_type.resolve_path  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["recommend", "a.yaml"], {}),
        (["recommend", "-f", "json", "a.yaml"], {"format": "json"}),
        (["recommend", "a.yaml", "--format=adr", "-o", "-"], {"format": "adr"}),
        (
            ["recommend", "a.yaml", "--output=r.md", "--seed", "0012", "--draws=100"],
            {"output": "r.md", "seed": 12, "draws": 100},
        ),
        (
            ["recommend", "--timestamp", "a.yaml", "--knowledge", "kb", "--rules=r"],
            {"timestamp": True, "knowledge": Path("kb"), "rules": Path("r")},
        ),
        (["recommend", "a.yaml", "--no-timestamp"], {"timestamp": False}),
    ],
)
def test_everyday_options_are_read_like_click_reads_them(argv: list[str], expected: dict[str, object]) -> None:
    assert quick.parse(argv) == {**DEFAULTS, "spec": Path("a.yaml"), **expected}


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--debug", "recommend", "a.yaml"],
        ["validate", "a.yaml"],
        ["recommend"],
        ["recommend", "--help"],
        ["recommend", "a.yaml", "b.yaml"],
        ["recommend", "a.yaml", "--probe"],
        ["recommend", "a.yaml", "--evidence", "run.json"],
        ["recommend", "a.yaml", "--mode", "eager"],
        ["recommend", "a.yaml", "--unknown"],
        ["recommend", "a.yaml", "-fjson"],
        ["recommend", "a.yaml", "-f=json"],
        ["recommend", "a.yaml", "-f"],
        ["recommend", "a.yaml", "-f", "JSON"],
        ["recommend", "a.yaml", "-f", "json", "-f", "markdown"],
        ["recommend", "a.yaml", "--timestamp", "--no-timestamp"],
        ["recommend", "a.yaml", "--timestamp=yes"],
        ["recommend", "a.yaml", "--draws", "99"],
        ["recommend", "a.yaml", "--draws", "100001"],
        ["recommend", "a.yaml", "--draws", "1_000"],
        ["recommend", "a.yaml", "--seed", "-1"],
        ["recommend", "a.yaml", "--seed", " 1"],
        ["recommend", "a.yaml", "--output", "--seed"],
        ["recommend", "a.yaml", "--knowledge="],
        ["recommend", "--", "a.yaml"],
        ["recommend", "-"],
        ["recommend", "a.yaml", "-o", "r\u00e9port.md"],
    ],
)
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert quick.parse(argv) is None


@pytest.mark.parametrize(
    "args",
    [
        ["-f", "json"],
        ["--format=markdown", "--seed", "7", "--draws", "500"],
        [],
        ["-f", "adr"],
        ["-f", "html"],
    ],
)
def test_quick_and_typer_paths_give_the_same_bytes(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["recommend", str(EXAMPLE), *args]
    full = CliRunner().invoke(app, argv)
    values = quick.parse(argv)
    assert values is not None
    assert recommending.run(**values) == full.exit_code == 0
    out = capsys.readouterr()
    assert out.out == full.stdout and out.err == ""


def test_output_file_and_exit_status_as_the_full_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full_file, fast_file = tmp_path / "full.md", tmp_path / "fast.md"
    full = CliRunner().invoke(app, ["recommend", str(EXAMPLE), "-f", "markdown", "-o", str(full_file)])
    values = quick.parse(["recommend", str(EXAMPLE), "-f", "markdown", "-o", str(fast_file)])
    assert values is not None and recommending.run(**values) == full.exit_code == 0
    assert fast_file.read_bytes() == full_file.read_bytes()
    assert capsys.readouterr().err == full.stderr.replace(str(full_file), str(fast_file))
    impossible = tmp_path / "impossible.yaml"
    impossible.write_text(
        "name: impossible\ntask: {domain: vision}\n"
        "infrastructure: {operating_systems: [windows], windows_native: true}\n"
        "constraints: {exclude_frameworks: [pytorch]}\n"
    )
    full = CliRunner().invoke(app, ["recommend", str(impossible)])
    values = quick.parse(["recommend", str(impossible)])
    assert values is not None and recommending.run(**values) == full.exit_code == 1
    assert capsys.readouterr().out == full.stdout


def test_a_failing_recommend_says_the_same_either_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: x\ntask: {domian: vision}\n")
    argv = ["recommend", str(spec), "-o", str(tmp_path / "out.md")]
    full = CliRunner().invoke(app, argv)
    values = quick.parse(argv)
    assert values is not None and recommending.run(**values) == full.exit_code == 2
    assert capsys.readouterr() == ("", full.stderr) and not (tmp_path / "out.md").exists()


def test_python_m_advisor_matches_typer_without_importing_typer_or_frameworks() -> None:
    full = CliRunner().invoke(app, ["recommend", str(EXAMPLE), "-f", "json"])
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", str(EXAMPLE), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, full.stdout, "")
    code = (
        "import sys\n"
        "from advisor.cli import quick, recommend\n"
        "values = quick.parse(sys.argv[1:])\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    status = recommend.run(**values)\n"
        "heavy = ('torch', 'tensorflow', 'keras', 'jax', 'jaxlib', 'flax', 'typer')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(status, bad)\n"
    )
    assert _python(code, "recommend", str(EXAMPLE), "-f", "json").stdout.strip() == "0 []"


def test_errors_and_usage_messages(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: x\ntask: {domian: vision}\n")
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", str(spec)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {spec}") and "did you mean 'domain'" in result.stderr
    usage = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", str(EXAMPLE), "--draws", "5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert usage.returncode == 2 and "Usage:" in usage.stderr and "--draws" in usage.stderr


def test_the_quick_exit_waits_for_atexit_callbacks_and_flushes_output() -> None:
    code = (
        "import atexit, sys\n"
        "from advisor.cli import main\n"
        "if sys.argv[1] == 'atexit':\n"
        "    atexit.register(lambda: print('atexit ran'))\n"
        "sys.argv = ['advisor', 'recommend', sys.argv[2], '-f', 'json']\n"
        "main()\n"
    )
    waited = _python(code, "atexit", str(EXAMPLE))
    assert waited.returncode == 0 and waited.stdout.rstrip().endswith("atexit ran")
    quick = _python(code, "none", str(EXAMPLE))
    assert quick.returncode == 0 and quick.stdout.rstrip().endswith("}") and '"winner"' in quick.stdout


@pytest.mark.parametrize(("status", "expected"), [(None, 0), (0, 0), (1, 1), (2, 2), ("message", 1)])
def test_the_exit_status_survives_the_quick_exit(status: object, expected: int) -> None:
    code = (
        "import sys\n"
        "from advisor.cli import commands, main\n"
        f"commands.app.command('boom')(lambda: sys.exit({status!r}))\n"
        "sys.argv = ['advisor', 'boom']\n"
        "main()\n"
    )
    assert _python(code).returncode == expected
