"""Probe children cannot import from the working directory, and never outlive their parent.

Issue 11: the child used to start with ``python -m``, which puts the working directory first on
``sys.path`` (a ``torch.py`` there ran in place of PyTorch), and Ctrl-C ended the parent while the
child, in its own session, ran on as an orphan. The fake children need no framework; only the last
test, with the real CLI and PyTorch, is skipped where PyTorch is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from importlib.util import find_spec
from pathlib import Path

import psutil
import pytest

from advisor.probing import launcher
from advisor.probing.child.command import BOOTSTRAP, child_command
from tests.probing.child.fake_probe import fake_request

ROOT = Path(__file__).resolve().parents[2]
PLANTED = ("torch", "tensorflow", "pydantic", "json", "measure", "protocol")  # framework, dependency, stdlib, ours
# A parent process running one probe with the child module argv[1]; exit 130 on Ctrl-C, as the CLI does.
PARENT = """
import sys
from advisor.probing import launcher
from tests.probing.child.fake_probe import fake_request
launcher.MODULES["pytorch"] = sys.argv[1]
launcher.framework_installed = lambda framework: True
try:
    launcher.run_probe(fake_request(), timeout_s=60)
except KeyboardInterrupt:
    sys.exit(130)
"""
# A parent run in place from a source checkout (its advisor importable only from the working directory).
FROM_CHECKOUT = """
import subprocess, sys
from advisor.probing.child.command import child_command
command = child_command("advisor.probing.where_probe")
done = subprocess.run(command, input=sys.stdin.read(), capture_output=True, text=True)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
sys.exit(done.returncode)
"""
# The real CLI (typer, progress display) with the fake child in place of PyTorch.
CLI = """
import sys
from advisor.probing import launcher
launcher.MODULES["pytorch"] = "tests.probing.child.fake_probe"
launcher.framework_installed = lambda framework: True
sys.argv = ["advisor", "probe", "-F", "pytorch", "-w", "mlp", "--mode", "eager", "--budget", "5"]
from advisor.cli import main
main()
"""


def plant(folder: Path, names: tuple[str, ...] = PLANTED) -> None:
    """Modules that, if imported, leave a marker file named after themselves and stop the import."""
    for name in names:
        marker = folder / f"IMPORTED-{name}"
        (folder / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(7)\n")


def imported(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("IMPORTED-*"))


def where(command: list[str], cwd: Path, names: list[str]) -> dict[str, object]:
    done = subprocess.run(command, input=json.dumps(names), cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def fake_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(launcher.MODULES, "pytorch", "tests.probing.child.fake_probe")
    monkeypatch.setattr(launcher, "framework_installed", lambda framework: True)


# --- the working directory is not on the child's import path -------------------------------------------------


@pytest.mark.usefixtures("fake_child")
def test_modules_planted_in_the_working_directory_are_not_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = launcher.run_probe(fake_request(workloads=["mlp"], budget_s=5.0))  # a margin no load breaks
    assert imported(tmp_path) == []
    assert result.status == "ok", (result.message, result.traceback)


def test_the_child_finds_every_module_outside_the_working_directory(tmp_path: Path) -> None:
    plant(tmp_path)
    seen = where(child_command("tests.probing.child.where_probe"), tmp_path, [*PLANTED, "advisor", "tests"])
    assert str(tmp_path) not in seen["path"] and "" not in seen["path"]  # type: ignore[operator]
    origins: dict[str, str | None] = seen["origins"]  # type: ignore[assignment]
    assert not [name for name, origin in origins.items() if origin and origin.startswith(str(tmp_path))]
    assert origins["advisor"] == str(ROOT / "advisor" / "__init__.py")
    assert imported(tmp_path) == []


def test_without_safe_path_the_bootstrap_removes_its_own_folder(tmp_path: Path) -> None:
    """Python 3.10 has no -P: there the entry adds the bootstrap's folder (advisor/probing/child/) to sys.path
    itself."""
    command = [arg for arg in child_command("tests.probing.child.where_probe") if arg != "-P"]
    seen = where(command, tmp_path, ["measure", "workloads"])  # advisor/probing/child/measure.py as a top-level module
    assert str(BOOTSTRAP.parent) not in seen["path"]  # type: ignore[operator]
    assert seen["origins"] == {"measure": None, "workloads": None}


def test_a_source_checkout_that_is_not_installed_still_runs_its_own_probes(tmp_path: Path) -> None:
    """Run in place from a checkout, only the working directory made ``advisor`` importable: the child
    gets the parent's copy by its file, and nothing else from that folder."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "advisor", checkout / "advisor", ignore=shutil.ignore_patterns("__pycache__"))
    where_probe = (ROOT / "tests/probing/child/where_probe.py").read_text()
    (checkout / "advisor" / "probing" / "where_probe.py").write_text(where_probe)
    plant(checkout, ("torch", "tensorflow", "measure"))  # not what this parent, run from there, imports itself
    seen = where([sys.executable, "-c", FROM_CHECKOUT], checkout, ["advisor", *PLANTED])
    origins: dict[str, str | None] = seen["origins"]  # type: ignore[assignment]
    assert origins.pop("advisor") == str(checkout / "advisor" / "__init__.py")
    assert not [name for name, origin in origins.items() if origin and origin.startswith(str(checkout))]
    assert imported(checkout) == []


# --- no child outlives its parent ----------------------------------------------------------------------------


@contextmanager
def parent_running(
    code: str, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], psutil.Process]]:
    """Start ``code`` as a parent process and yield it with its probe child once that has started."""
    parent = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    family: list[psutil.Process] = []
    try:
        family.append(wait_for_child(parent.pid))
        yield parent, family[0]
    finally:  # whatever a failing test left running ends here
        with suppress(psutil.NoSuchProcess):
            family += family[0].children(recursive=True) if family else []
        if parent.poll() is None:
            parent.kill()
        parent.wait()
        end(family)


def end(processes: list[psutil.Process]) -> None:
    for process in processes:
        with suppress(psutil.NoSuchProcess):
            process.kill()


def wait_for_child(pid: int, timeout: float = 30.0) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in psutil.Process(pid).children():
            with suppress(psutil.NoSuchProcess):  # something short-lived that has gone already
                if str(BOOTSTRAP) in child.cmdline():
                    return child
        time.sleep(0.02)
    raise AssertionError("the probe child did not start")


def wait_for(condition: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def left_after(processes: list[psutil.Process], seconds: float = 1.0) -> list[int]:
    """The processes still running ``seconds`` after now (the parent's exit)."""
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.02)
    return [p.pid for p in processes if alive(p)]


def signal_parent(parent: subprocess.Popen[str], signum: int) -> float:
    """Send ``signum`` and return how long the parent took to exit."""
    sent = time.monotonic()
    parent.send_signal(signum)
    parent.wait(timeout=30)
    return time.monotonic() - sent


def signal_me_once_the_child_runs(signum: int) -> list[psutil.Process]:
    """Send ``signum`` to this process 0.3 s after its probe child has started; the list gets the child."""
    children: list[psutil.Process] = []

    def send() -> None:
        children.append(wait_for_child(os.getpid()))
        time.sleep(0.3)
        if alive(children[0]):  # never at pytest itself once the probe is over
            os.kill(os.getpid(), signum)

    threading.Thread(target=send, daemon=True).start()
    return children


class Terminated(Exception):
    """What this test's own SIGTERM handler raises (as an application's clean-up handler might)."""


@pytest.mark.usefixtures("fake_child")
def test_ctrl_c_is_forwarded_to_the_child_which_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher, "STOP_GRACE_S", 30.0)  # only the forwarded SIGINT can end the child quickly
    children = signal_me_once_the_child_runs(signal.SIGINT)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        launcher.run_probe(fake_request(), timeout_s=60, extra_env={"ADVISOR_PROBE_FAULT": "hang"})
    assert time.monotonic() - started < 10
    assert not alive(children[0])  # reaped before run_probe raised: nothing to wait for
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.usefixtures("fake_child")
def test_sigterm_goes_on_to_the_previous_handler_after_the_child_is_stopped() -> None:
    def on_term(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        children = signal_me_once_the_child_runs(signal.SIGTERM)
        with pytest.raises(Terminated):
            launcher.run_probe(fake_request(), timeout_s=60, extra_env={"ADVISOR_PROBE_FAULT": "hang"})
        assert not alive(children[0])
        assert signal.getsignal(signal.SIGTERM) is on_term
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.usefixtures("fake_child")
def test_a_previous_handler_that_carries_on_gets_a_stopped_result() -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))
    try:
        signal_me_once_the_child_runs(signal.SIGTERM)
        result = launcher.run_probe(fake_request(), timeout_s=60, extra_env={"ADVISOR_PROBE_FAULT": "hang"})
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert calls == [signal.SIGTERM]
    assert result.status == "crashed" and "SIGTERM" in result.message


@pytest.mark.usefixtures("fake_child")
def test_an_exception_in_the_parent_stops_the_child_too(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[str]] = []

    class Broken(launcher._EventReader):
        def __init__(self, process: subprocess.Popen[str], on_event: launcher.OnEvent | None) -> None:
            started.append(process)
            raise RuntimeError("a bug in the parent")

    monkeypatch.setattr(launcher, "_EventReader", Broken)
    with pytest.raises(RuntimeError, match="a bug in the parent"):
        launcher.run_probe(fake_request(), timeout_s=60, extra_env={"ADVISOR_PROBE_FAULT": "hang"})
    assert started[0].returncode is not None  # stopped and waited for
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, -signal.SIGTERM)])
def test_no_child_is_left_a_second_after_the_parent_is_signalled(signum: int, status: int) -> None:
    with parent_running(PARENT, "tests.probing.child.fake_probe", env={"ADVISOR_PROBE_FAULT": "hang"}) as (
        parent,
        child,
    ):
        time.sleep(0.3)  # into the framework-free "import" and the first cell
        signal_parent(parent, signum)
        assert parent.returncode == status, parent.stderr.read()  # type: ignore[union-attr]
        assert left_after([child]) == []


def test_a_child_that_ignores_the_signal_is_killed_with_its_grandchildren() -> None:
    with parent_running(PARENT, "tests.probing.child.stubborn_probe") as (parent, child):
        wait_for(lambda: child.children())
        family = [child, *child.children(recursive=True)]
        took = signal_parent(parent, signal.SIGINT)
        assert parent.returncode == 130
        assert launcher.STOP_GRACE_S <= took < launcher.STOP_GRACE_S + 5
        assert left_after(family) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_killed_parent_takes_its_child_along() -> None:
    """SIGKILL leaves the parent no chance to clean up; the kernel ends the child instead. (The stubborn
    child writes nothing, so a closed pipe cannot end it; its grandchild is beyond this guard.)"""
    with parent_running(PARENT, "tests.probing.child.stubborn_probe") as (parent, child):
        wait_for(lambda: child.children())
        grandchildren = child.children(recursive=True)
        try:
            signal_parent(parent, signal.SIGKILL)
            assert left_after([child]) == []
        finally:
            end(grandchildren)


def test_ctrl_c_in_advisor_probe_exits_130_and_leaves_no_child() -> None:
    with parent_running(CLI, env={"ADVISOR_PROBE_FAULT": "hang"}) as (parent, child):
        time.sleep(0.3)
        signal_parent(parent, signal.SIGINT)
        assert parent.returncode == 130, parent.stderr.read()  # type: ignore[union-attr]
        assert left_after([child]) == []


ADVISOR = Path(sys.executable).with_name("advisor")  # the installed script: python -m would put the cwd first


@pytest.mark.torch
@pytest.mark.skipif(find_spec("torch") is None or not ADVISOR.exists(), reason="needs PyTorch and the advisor script")
def test_advisor_probe_with_pytorch_ignores_a_planted_torch_and_leaves_no_child_on_ctrl_c(tmp_path: Path) -> None:
    plant(tmp_path)
    command = [str(ADVISOR), "probe", "-F", "pytorch", "-w", "mlp", "--mode", "eager"]
    parent = subprocess.Popen(
        [*command, "--budget", "5"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        child = wait_for_child(parent.pid)
        time.sleep(1.0)  # a planted torch.py would have run by now: it is the child's first import
        signal_parent(parent, signal.SIGINT)
        assert parent.returncode == 130, parent.stderr.read()  # type: ignore[union-attr]
        assert left_after([child]) == []
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.wait()
    assert imported(tmp_path) == []
