"""Project hygiene: the wheel carries the data, layers stay apart, lint is clean, README is true."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_wheel_carries_every_data_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("rules", "knowledge_base"):
        for path in (ROOT / folder).rglob("*.yaml"):
            packaged = f"advisor/_data/{folder}/{path.relative_to(ROOT / folder).as_posix()}"
            assert packaged in names, packaged
    assert "advisor/probing/child/bootstrap.py" in names  # the launcher runs it by path


def test_import_layers() -> None:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if tool is None:
        pytest.skip("import-linter not installed")
    result = subprocess.run([tool, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff not installed")
    result = subprocess.run(
        [ruff, "check", "advisor", "tools", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def _ci_test_command() -> str:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    start = lines.index("# --- README test command (kept identical by tests/test_project.py) ---")
    return lines[start + 1].strip()


def test_readme_test_command_is_what_ci_runs() -> None:
    assert _ci_test_command() in README


def test_readme_sample_output_is_current() -> None:
    match = re.search(r"<!-- sample: (\S+) -->\n```text\n(.*?)```", README, re.S)
    assert match, "README needs a sample output block"
    from advisor.api import recommend
    from advisor.report.terminal import render
    from tests.report.golden import GOLDEN_DAY, TERMINAL_WIDTH, as_typed

    path = ROOT / match.group(1)
    assert render(as_typed(recommend(path, today=GOLDEN_DAY), path), width=TERMINAL_WIDTH) == match.group(2)


def test_readme_counts_the_examples_it_describes() -> None:
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    count = len(list((ROOT / "examples").glob("*.yaml")))
    said = re.search(r"`examples/` holds (\w+) specs", README)
    assert said and said.group(1) == (words[count] if count < len(words) else str(count))


def test_readme_starts_with_a_virtual_environment() -> None:
    setup = README[README.index("## Set up") : README.index("## Use")]
    assert setup.index("python3 -m venv") < setup.index("python -m pip install")


def test_readme_mentions_every_command() -> None:
    for command in (
        "advisor recommend",
        "advisor validate",
        "advisor schema",
        "advisor kb list",
        "advisor kb show",
        "advisor kb stale",
        "--as-of",
    ):
        assert command in README, command


def test_generated_docs_are_current() -> None:
    from tools.docs import generated

    for path, text in generated().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run python -m tools.docs"


def test_mypy_is_clean() -> None:
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    if mypy is None:
        pytest.skip("mypy not installed")
    result = subprocess.run([mypy], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_generated_rules_doc_names_every_weight_target() -> None:
    """A group-weight effect is printed with its group (it once read `weight None set 3`)."""
    from advisor.api import load_context
    from tools.docs import rules_doc

    assert "None" not in rules_doc(load_context()[1])


def test_license_file_matches_the_declared_license() -> None:
    assert 'license = "Apache-2.0"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_nothing_reads_outside_the_repository() -> None:
    """No module, test or bench script reaches for folders beside the checkout (the repository stands alone)."""
    import re

    outside = re.compile(r"""parents?\[?\d?\]?\s*/\s*["']shared["']|\.\./shared|parent\.parent\s*/\s*["']shared""")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("advisor", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if outside.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_public_api_is_declared_and_importable() -> None:
    import advisor.api

    assert len(set(advisor.api.__all__)) == len(advisor.api.__all__)
    for name in advisor.api.__all__:
        assert getattr(advisor.api, name) is not None, name


def test_tests_that_fork_run_before_any_framework_is_imported_in_process(request: pytest.FixtureRequest) -> None:
    """The order pytest runs this session in: every test marked ``forks`` ahead of every framework test."""
    items = request.session.items
    forks = [i for i, item in enumerate(items) if item.get_closest_marker("forks")]
    frameworks = [
        i for i, item in enumerate(items) if any(item.get_closest_marker(m) for m in ("torch", "tensorflow", "jax"))
    ]
    if forks and frameworks:
        assert max(forks) < min(frameworks)
