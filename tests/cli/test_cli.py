"""The CLI end to end: formats, exit codes, one-line errors, and no framework imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli.commands import app
from advisor.scoring.result import REPORT_SCHEMA_VERSION
from tests.conftest import EXAMPLES

runner = CliRunner()
EXAMPLE = EXAMPLES / "llm-finetuning-lab.yaml"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json"])
def test_recommend_in_every_format(fmt: str) -> None:
    result = runner.invoke(app, ["recommend", str(EXAMPLE), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "PyTorch" in result.stdout


def test_json_output_is_versioned_and_parses() -> None:
    result = runner.invoke(app, ["recommend", str(EXAMPLE), "-f", "json"])
    report = json.loads(result.stdout)
    assert report["schema_version"] == REPORT_SCHEMA_VERSION and report["winner"] == "pytorch"


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = runner.invoke(app, ["recommend", str(EXAMPLE), "-f", "markdown", "-o", str(target)])
    assert result.exit_code == 0
    assert target.read_text().startswith("# Framework recommendation")
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temp file left behind


def test_same_spec_same_bytes() -> None:
    first = _run("recommend", str(EXAMPLE), "-f", "json").stdout
    assert first and first == _run("recommend", str(EXAMPLE), "-f", "json").stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name: x\ntask: {domain: vision}\nteam: {size: many}\n", ":3: field 'team.size'"),
        ("name: x\ntask: {domian: vision}\n", "did you mean 'domain'"),
        ("name: x\ntask: [\n", "invalid YAML"),
        ("", "file is empty"),
    ],
)
def test_broken_spec_exits_2_with_one_line(tmp_path: Path, content: str, expected: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(content)
    result = _run("recommend", str(spec))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"error: {spec}")


def test_missing_spec_exits_2(tmp_path: Path) -> None:
    result = _run("recommend", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2 and "file not found" in result.stderr and "Traceback" not in result.stderr


def test_all_excluded_exits_1_with_reasons(tmp_path: Path) -> None:
    spec = tmp_path / "impossible.yaml"
    spec.write_text(
        "name: impossible\ntask: {domain: vision}\n"
        "infrastructure: {operating_systems: [windows], windows_native: true}\n"
        "constraints: {exclude_frameworks: [pytorch]}\n"
    )
    result = _run("recommend", str(spec), "-f", "markdown")
    assert result.returncode == 1
    assert "No framework meets the hard constraints" in result.stdout
    assert "excluded by the spec's policy" in result.stdout
    assert "does not support" in result.stdout


def test_recommend_never_imports_torch_or_tensorflow() -> None:
    code = (
        "import atexit, os, sys; from advisor.cli import main\n"
        "heavy = ('torch', 'tensorflow', 'keras', 'jax', 'jaxlib', 'flax')\n"
        "bad = lambda: sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "atexit.register(lambda: os.write(2, f'heavy: {bad()}'.encode()))\n"
        f"sys.argv = ['advisor', 'recommend', {str(EXAMPLE)!r}, '-f', 'json']\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.endswith("heavy: []"), result.stderr


def test_validate_and_schema() -> None:
    assert runner.invoke(app, ["validate", str(EXAMPLE)]).exit_code == 0
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    assert "deployment" in schema["properties"]
    report_schema = json.loads(runner.invoke(app, ["schema", "--report"]).stdout)
    assert "winner" in report_schema["properties"]


def test_kb_list_and_show(kb) -> None:  # type: ignore[no-untyped-def]
    listed = runner.invoke(app, ["kb", "list", "--criterion", "mobile_edge"])
    assert listed.exit_code == 0 and "mobile_edge" in listed.stdout
    entry_id = next(e.id for e in kb.entries.values() if e.criterion == "mobile_edge")
    shown = runner.invoke(app, ["kb", "show", entry_id])
    assert shown.exit_code == 0 and "references:" in shown.stdout and "as of" in shown.stdout
    missing = runner.invoke(app, ["kb", "show", entry_id[:-1]])
    assert missing.exit_code == 2 and "did you mean" in missing.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("framework-advisor ")


def test_migrate_command() -> None:
    result = runner.invoke(
        app, ["migrate", str(EXAMPLES / "tpu-recommender.yaml"), "--to", "pytorch", "-f", "markdown"]
    )
    assert (
        result.exit_code == 0 and "## Migration plan: to PyTorch" in result.stdout and "person-weeks" in result.stdout
    )
    assert "## References" in result.stdout
    same = runner.invoke(app, ["migrate", str(EXAMPLES / "tpu-recommender.yaml"), "--to", "tensorflow"])
    assert same.exit_code == 0 and "no migration" in same.stdout
    to_jax = runner.invoke(app, ["migrate", str(EXAMPLES / "tpu-recommender.yaml"), "--to", "jax", "-f", "markdown"])
    assert to_jax.exit_code == 0 and "## Migration plan: to JAX" in to_jax.stdout
    bad = runner.invoke(app, ["migrate", str(EXAMPLES / "tpu-recommender.yaml"), "--to", "mxnet"])
    assert bad.exit_code == 2 and "unknown framework 'mxnet'" in bad.stderr


def test_help_lists_completion_and_wraps_whole_words_at_80_columns() -> None:
    import os

    env = {**os.environ, "COLUMNS": "80", "TERMINAL_WIDTH": "80"}
    top = subprocess.run([sys.executable, "-m", "advisor", "--help"], capture_output=True, text=True, env=env)
    assert "--install-completion" in top.stdout
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", "--help"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    words = " ".join(line.strip("│ ") for line in result.stdout.splitlines())
    for word in ("terminal,", "markdown,", "json,", "html", "adr."):
        assert word in words.split(), word


def test_migrate_on_a_terminal_is_a_summary_with_the_full_plan_a_flag_away() -> None:
    spec = str(EXAMPLES / "tpu-recommender.yaml")
    summary = runner.invoke(app, ["migrate", spec, "--to", "pytorch"], env={"COLUMNS": "80"})
    lines = summary.stdout.splitlines()
    assert summary.exit_code == 0 and len(lines) <= 150 and max(map(len, lines)) <= 80
    assert "#kb-" not in summary.stdout and "-f markdown" in summary.stdout
    full = runner.invoke(app, ["migrate", spec, "--to", "pytorch", "-f", "markdown"])
    assert full.exit_code == 0 and "### API and tooling map" in full.stdout
