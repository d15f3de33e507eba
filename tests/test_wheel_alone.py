"""The wheel stands alone: installed by itself in a fresh virtual environment, away from the checkout,
it runs every command that needs no framework on a copied example."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh environment holding only the wheel (its dependencies are seen from this environment's
    site-packages, added as a plain path, so this environment's editable install is not), and a working
    folder with one example spec, far from the checkout."""
    built = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(built), str(ROOT)],
        check=True,
        capture_output=True,
    )
    home = tmp_path_factory.mktemp("env")
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    zipfile.ZipFile(next(built.glob("*.whl"))).extractall(site)
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path_factory.mktemp("work")
    shutil.copy(EXAMPLES / "fraud-scoring-platform.yaml", work / "spec.yaml")
    return python, work


def _run(alone: tuple[Path, Path], *args: str) -> subprocess.CompletedProcess[str]:
    python, work = alone
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    return subprocess.run(
        [str(python), "-m", "advisor", *args], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_package_comes_from_the_wheel(alone: tuple[Path, Path]) -> None:
    python, work = alone
    where = subprocess.run(
        [str(python), "-c", "import advisor; print(advisor.__file__)"], cwd=work, capture_output=True, text=True
    )
    assert Path(where.stdout.strip()).is_relative_to(python.parent.parent), where.stdout
    assert not (Path(where.stdout.strip()).parent.parent / "tests").exists()


def test_every_command_without_a_framework_runs(alone: tuple[Path, Path]) -> None:
    report = _run(alone, "recommend", "spec.yaml", "-f", "json")
    assert report.returncode in (0, 1), report.stderr
    assert json.loads(report.stdout)["project"]
    assert _run(alone, "recommend", "spec.yaml", "-o", "report.html").returncode in (0, 1)
    assert (alone[1] / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert _run(alone, "validate", "spec.yaml").returncode == 0
    assert '"properties"' in _run(alone, "schema").stdout
    assert _run(alone, "migrate", "spec.yaml", "--to", "pytorch").returncode == 0
    listed = _run(alone, "kb", "list")
    assert listed.returncode == 0 and "litert-is-tflite-renamed" in listed.stdout
    shown = _run(alone, "kb", "show", "litert-is-tflite-renamed")
    assert shown.returncode == 0 and "references:" in shown.stdout
    assert _run(alone, "kb", "stale").returncode == 0
