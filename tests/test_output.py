"""The output writer (advisor.output): atomic for regular files, harmless to everything else.

Issue 11 found that ``-o`` left temporary files behind on SIGTERM, wrote every file 0600, dropped an
existing file's mode, replaced read-only files, symlinks, FIFOs and devices with regular files, and
turned ``missing-dir/`` into a file. Each of those is a test here.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor import output
from advisor.cli import options as cli_options
from advisor.cli import quick
from advisor.cli import recommend as recommending
from advisor.cli.commands import app
from advisor.errors import AdvisorError
from advisor.output import temp_name_pattern, write_text
from tests.conftest import EXAMPLES, ROOT

EXAMPLE = EXAMPLES / "llm-finetuning-lab.yaml"
ROOT_ONLY = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX file kinds and signals")


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def leftovers(folder: Path) -> list[str]:
    """Anything in ``folder`` that looks like a temporary file (this writer's or the old ``.NAME.*.tmp``)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- regular files: atomic, umask for new files, existing mode and owner kept -----------------------------


@settings(max_examples=60, deadline=None)
@given(mask=st.integers(0, 0o777), text=st.text(max_size=200))
def test_a_new_file_gets_the_mode_the_umask_implies(mask: int, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "report.md"
        with umask(mask):
            write_text(str(target), text)
        assert mode(target) == 0o666 & ~mask
        target.chmod(0o600)  # some of these masks leave the owner unable to read it
        assert target.read_bytes() == text.encode("utf-8")
        assert leftovers(Path(folder)) == []


@settings(max_examples=60, deadline=None)
@given(old_mode=st.integers(0, 0o7777), mask=st.sampled_from([0o022, 0o077, 0o000]))
def test_an_existing_file_keeps_its_mode_whatever_the_umask(old_mode: int, mask: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "report.md"
        target.write_text("old\n")
        target.chmod(old_mode)
        with umask(mask):
            write_text(str(target), "new\n", force=True)  # force: some of these modes are read-only
        assert oct(mode(target)) == oct(old_mode)
        target.chmod(0o600)
        assert target.read_text() == "new\n" and leftovers(Path(folder)) == []


@ROOT_ONLY
def test_an_existing_file_keeps_its_owner_and_group(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n")
    try:
        os.chown(target, 4242, 4343)
    except PermissionError:
        pytest.skip("root without CAP_CHOWN")
    target.chmod(0o640)
    write_text(str(target), "new\n")
    found = target.stat()
    assert (found.st_uid, found.st_gid, mode(target)) == (4242, 4343, 0o640)
    assert target.read_text() == "new\n"


def test_set_id_bits_are_dropped_when_the_owner_cannot_be_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "tool"
    target.write_text("old\n")
    target.chmod(0o6755)
    old = target.stat()
    fake = os.stat_result((old.st_mode, old.st_ino, old.st_dev, 1, old.st_uid + 1, old.st_gid + 1, 4, 0, 0, 0))
    monkeypatch.setattr(os, "fchown", lambda *args: (_ for _ in ()).throw(PermissionError(1, "not permitted")))
    fd = os.open(tmp_path / "new", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        output._keep_owner_and_mode(fd, fake)
    finally:
        os.close(fd)
    assert mode(tmp_path / "new") == 0o755  # a set-uid file must not become set-uid to someone else


def test_a_read_only_file_is_refused_without_force_and_replaced_with_it(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("keep me\n")
    target.chmod(0o444)
    with pytest.raises(AdvisorError, match="read-only") as info:
        write_text(str(target), "new\n")
    assert info.value.path == str(target) and "--force" in (info.value.hint or "")
    assert target.read_text() == "keep me\n" and leftovers(tmp_path) == []
    write_text(str(target), "new\n", force=True)
    assert target.read_text() == "new\n" and mode(target) == 0o444 and leftovers(tmp_path) == []


def test_an_unwritable_folder_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def refuse_temp(path: str, flags: int, *args: int) -> int:
        if ".advisor-" in os.fspath(path):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse_temp)
    with pytest.raises(AdvisorError, match=r"cannot create a file in .*Permission denied") as info:
        write_text(str(tmp_path / "report.md"), "x")
    assert info.value.path == str(tmp_path / "report.md") and not (tmp_path / "report.md").exists()


def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n")
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(AdvisorError, match="No space left") as info:
        write_text(str(target), "new\n")
    assert info.value.path == str(target)
    assert target.read_text() == "old\n" and leftovers(tmp_path) == []


def test_a_long_file_name_gets_a_short_temporary_name(tmp_path: Path) -> None:
    target = tmp_path / ("r" * 250)
    write_text(str(target), "x")
    assert target.read_text() == "x" and leftovers(tmp_path) == []


# --- special destinations ----------------------------------------------------------------------------------


def test_dash_is_standard_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_text("-", "to stdout\n")
    assert capsys.readouterr().out == "to stdout\n" and list(tmp_path.iterdir()) == []


@POSIX_ONLY
def test_a_symlink_stays_a_link_and_its_target_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "real.md"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(Path("reports") / "real.md")
    write_text(str(link), "new\n")
    assert link.is_symlink() and os.readlink(link) == os.path.join("reports", "real.md")
    assert target.read_text() == "new\n" and mode(target) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "reports") == []
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to("created.md")
    write_text(str(dangling), "made\n")
    assert dangling.is_symlink() and (tmp_path / "created.md").read_text() == "made\n"


@POSIX_ONLY
def test_a_symlink_to_a_read_only_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old\n")
    target.chmod(0o444)
    (tmp_path / "link.md").symlink_to("real.md")
    with pytest.raises(AdvisorError, match="read-only"):
        write_text(str(tmp_path / "link.md"), "new\n")
    assert target.read_text() == "old\n"


@POSIX_ONLY
def test_a_fifo_is_written_through_to_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    text = "line of a large report\n" * 50_000  # > 1 MB: far more than a pipe buffer holds
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    write_text(str(fifo), text)
    reader.join(timeout=10)
    assert received == [text.encode()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and sorted(os.listdir(tmp_path)) == ["pipe"]


@POSIX_ONLY
def test_a_fifo_whose_reader_leaves_early_is_a_located_error(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def read_a_little() -> None:
        with open(fifo, "rb") as handle:
            handle.read(10)

    reader = threading.Thread(target=read_a_little, daemon=True)
    reader.start()
    with pytest.raises(AdvisorError, match="reader closed the pipe") as info:
        write_text(str(fifo), "x" * 4_000_000)
    reader.join(timeout=10)
    assert info.value.path == str(fifo) and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def _make_node(path: Path, kind: int, device: tuple[int, int]) -> None:
    try:
        os.mknod(path, kind | 0o666, os.makedev(*device))
    except (PermissionError, OSError) as exc:  # a container without CAP_MKNOD
        pytest.skip(f"cannot make a device node here: {exc}")


@ROOT_ONLY
def test_a_character_device_is_written_to_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"
    _make_node(null, stat.S_IFCHR, (1, 3))  # the same device as /dev/null
    before = os.lstat(null)
    write_text(str(null), "discarded\n" * 10_000)
    after = os.lstat(null)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert sorted(os.listdir(tmp_path)) == ["null"]


@ROOT_ONLY
def test_a_block_device_is_refused(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    _make_node(disk, stat.S_IFBLK, (7, 0))  # a loop device: never opened, only refused
    with pytest.raises(AdvisorError, match="block device") as info:
        write_text(str(disk), "x")
    assert info.value.path == str(disk) and stat.S_ISBLK(os.lstat(disk).st_mode)


@pytest.mark.parametrize(
    ("name", "message", "hint"),
    [
        ("missing-dir/", "no such directory", "mkdir"),
        ("missing-dir/report.md", "does not exist", "create it"),
        ("folder", "is a directory", "file name"),
        ("folder/", "is a directory", "file name"),
        ("folder/.", "is a directory", "file name"),
        ("file.md/", "is not a directory", "drop the trailing"),
        ("file.md/report.md", "Not a directory", None),
    ],
)
def test_directories_and_trailing_slashes(tmp_path: Path, name: str, message: str, hint: str | None) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.md").write_text("keep\n")
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(AdvisorError, match=message) as info:
        write_text(str(tmp_path / name) + ("/" if name.endswith("/") else ""), "x")
    assert info.value.path is not None and info.value.path.startswith(str(tmp_path))
    assert hint is None or hint in (info.value.hint or "")
    assert sorted(os.listdir(tmp_path)) == before and (tmp_path / "file.md").read_text() == "keep\n"
    assert os.listdir(tmp_path / "folder") == []


def test_check_destination_refuses_early_and_writes_nothing(tmp_path: Path) -> None:
    read_only = tmp_path / "spec.yaml"
    read_only.write_text("keep\n")
    read_only.chmod(0o444)
    for name in (str(tmp_path / "missing-dir") + "/", str(read_only), str(tmp_path / "missing" / "x.yaml")):
        with pytest.raises(AdvisorError) as info:
            output.check_destination(name)
        assert info.value.path == name
    output.check_destination(str(read_only), force=True)
    output.check_destination(str(tmp_path / "new.yaml"))
    output.check_destination("-")
    assert sorted(os.listdir(tmp_path)) == ["spec.yaml"] and read_only.read_text() == "keep\n"


def test_an_empty_name_or_a_nul_byte_is_an_error() -> None:
    with pytest.raises(AdvisorError, match="empty"):
        write_text("", "x")
    with pytest.raises(AdvisorError, match="NUL") as info:
        write_text("a\0b", "x")
    assert str(info.value).startswith("a\\x00b: ")


# --- signals -----------------------------------------------------------------------------------------------


def _signal_during(monkeypatch: pytest.MonkeyPatch, signum: int, call: str = "fsync") -> None:
    """Make the writer receive ``signum`` from inside ``os.<call>`` (during the write, temp file open)."""
    real = getattr(os, call)

    def interrupted(*args: object) -> object:
        monkeypatch.setattr(os, call, real)
        signal.raise_signal(signum)
        return real(*args)

    monkeypatch.setattr(os, call, interrupted)


@POSIX_ONLY
@pytest.mark.parametrize("call", ["write", "fsync"])
def test_ctrl_c_during_the_write_removes_the_temp_file_then_interrupts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n")
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    _signal_during(monkeypatch, signal.SIGINT, call)
    with pytest.raises(KeyboardInterrupt):
        write_text(str(target), "new\n" * 100_000)
    assert target.read_text() == "old\n" and leftovers(tmp_path) == []
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


@POSIX_ONLY
def test_a_caller_handler_that_returns_gets_an_error_not_a_silent_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n")
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        _signal_during(monkeypatch, signal.SIGTERM)
        with pytest.raises(AdvisorError, match="interrupted; the file was not changed"):
            write_text(str(target), "new\n")
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert target.read_text() == "old\n" and leftovers(tmp_path) == []


@POSIX_ONLY
def test_an_ignored_signal_stays_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _signal_during(monkeypatch, signal.SIGINT)
        write_text(str(tmp_path / "report.md"), "new\n")
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    assert (tmp_path / "report.md").read_text() == "new\n"


# The child writes a large report again and again; the parent signals it at a random moment.
_WRITER = """
import sys
from advisor import output
path, size, slow = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "slow"
if slow:  # small chunks, each a little slow: a signal then certainly lands inside the write
    import os, time
    output.CHUNK = 1 << 14
    real_write = os.write
    os.write = lambda fd, data: (time.sleep(0.002), real_write(fd, data))[1]
text = ("%s\\n" % ("x" * 99)) * (size // 100)
print("ready", flush=True)
try:
    while True:
        output.write_text(path, text)
        if slow:
            break
except KeyboardInterrupt:
    sys.exit(130)
"""


def _start_writer(target: Path, size: int, slow: bool) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target), str(size), "slow" if slow else "fast"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def _wait_for_temp(folder: Path, name: str, timeout: float = 10.0) -> list[str]:
    pattern, deadline = temp_name_pattern(name), time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [n for n in os.listdir(folder) if pattern.fullmatch(n)]
        if found:
            return found
        time.sleep(0.001)
    raise AssertionError("the writer never created its temporary file")


@POSIX_ONLY
def test_sigterm_or_sigint_inside_the_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    rng = random.Random(11)
    target = tmp_path / "report.md"
    for _ in range(6):
        target.write_text("old\n")
        signum = rng.choice([signal.SIGTERM, signal.SIGINT])
        child = _start_writer(target, 2_000_000, slow=True)  # ~120 chunks of 2 ms: a 0.25 s write
        _wait_for_temp(tmp_path, target.name)
        time.sleep(rng.uniform(0, 0.1))
        sent = time.monotonic()
        child.send_signal(signum)
        code = child.wait(timeout=10)
        assert time.monotonic() - sent < 2, "the signal must stop the write within a chunk or two"
        assert code == (-signal.SIGTERM if signum == signal.SIGTERM else 130)
        assert target.read_text() == "old\n" and leftovers(tmp_path) == []


@POSIX_ONLY
def test_signals_at_random_moments_never_leave_a_temp_file_or_a_partial_report(tmp_path: Path) -> None:
    rng = random.Random(2026)
    target = tmp_path / "report.md"
    size = 4_000_000
    complete = (("x" * 99 + "\n") * (size // 100)).encode()
    for _ in range(12):
        target.write_bytes(b"old\n")
        signum = rng.choice([signal.SIGTERM, signal.SIGINT])
        child = _start_writer(target, size, slow=False)
        time.sleep(rng.uniform(0, 0.08))
        child.send_signal(signum)
        assert child.wait(timeout=10) in (-signal.SIGTERM, 130)
        assert target.read_bytes() in (b"old\n", complete)
        assert leftovers(tmp_path) == []


@POSIX_ONLY
def test_a_sigkill_leftover_is_recognisable_and_the_next_write_removes_it(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n")
    killed = _start_writer(target, 2_000_000, slow=True)
    left = _wait_for_temp(tmp_path, target.name)
    killed.kill()
    killed.wait(timeout=10)
    alive = _start_writer(target, 20_000_000, slow=True)  # still writing while the parent writes
    try:
        busy = set(_wait_for_temp(tmp_path, target.name)) - set(left)
        assert set(os.listdir(tmp_path)) == {"report.md", *left, *busy}
        write_text(str(target), "new\n")
        assert target.read_text() == "new\n"
        assert set(os.listdir(tmp_path)) == {"report.md", *busy}, "the dead writer's file goes, the live one's stays"
    finally:
        alive.kill()
        alive.wait(timeout=10)


def test_leftover_cleanup_touches_only_stale_files_of_this_writer_for_this_name(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = os.getppid()
    names = {
        "dead": f".report.md.advisor-{dead.pid}-0123abcd.tmp",
        "mine": f".report.md.advisor-{os.getpid()}-0123abcd.tmp",
        "live": f".report.md.advisor-{live}-0123abcd.tmp",
        "old": f".report.md.advisor-{live}-4567abcd.tmp",
        "other name": f".other.md.advisor-{dead.pid}-0123abcd.tmp",
        "not ours": ".report.md.0123abcd.tmp",
        "user file": ".report.md.advisor-backup.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_text("x")
    os.utime(tmp_path / names["old"], (time.time() - 2 * output.LEFTOVER_AGE_S,) * 2)
    (tmp_path / f".report.md.advisor-{dead.pid}-89abcdef.tmp").mkdir()  # not a file: kept
    write_text(str(tmp_path / "report.md"), "new\n")
    kept = set(os.listdir(tmp_path))
    assert kept == {
        "report.md",
        names["live"],
        names["other name"],
        names["not ours"],
        names["user file"],
        f".report.md.advisor-{dead.pid}-89abcdef.tmp",
    }


# --- the CLI: --force, and the fast path's bytes equal the full CLI's ----------------------------------------


def test_recommend_refuses_a_read_only_output_alike_on_both_paths_and_force_replaces_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.md"
    target.write_text("keep me\n")
    target.chmod(0o444)
    argv = ["recommend", str(EXAMPLE), "-f", "markdown", "-o", str(target)]
    full = CliRunner().invoke(app, argv)
    options = quick.parse(argv)
    assert options is not None and options["force"] is False
    assert recommending.run(**options) == full.exit_code == 2
    err = capsys.readouterr().err
    assert err == full.stderr and err.startswith(f"error: {target}: is read-only") and "--force" in err
    assert target.read_text() == "keep me\n"

    options = quick.parse([*argv, "--force"])
    assert options is not None and options["force"] is True
    assert recommending.run(**options) == 0
    fast = target.read_bytes()
    assert capsys.readouterr().err == f"wrote {target}\n" and mode(target) == 0o444
    target.chmod(0o644)
    target.write_text("keep me\n")
    target.chmod(0o444)
    full = CliRunner().invoke(app, [*argv, "--force"])
    assert full.exit_code == 0 and target.read_bytes() == fast


DEFAULTS = {option.name: option.default for option in cli_options.RECOMMEND}


def test_fast_path_reads_force_like_click() -> None:
    base = ["recommend", "a.yaml"]
    assert quick.parse([*base, "--force"]) == {**DEFAULTS, "spec": Path("a.yaml"), "force": True}
    assert quick.parse([*base, "--no-force"]) == {**DEFAULTS, "spec": Path("a.yaml")}
    assert quick.parse([*base, "--force", "--no-force"]) is None  # repeated: click's job
    assert quick.parse([*base, "--force=yes"]) is None


def test_migrate_and_init_use_the_same_writer(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    target.write_text("keep me\n")
    target.chmod(0o444)
    refused = CliRunner().invoke(app, ["migrate", str(EXAMPLE), "-o", str(target)])
    assert refused.exit_code == 2 and "read-only" in refused.stderr and target.read_text() == "keep me\n"
    forced = CliRunner().invoke(app, ["migrate", str(EXAMPLE), "-o", str(target), "--force"])
    assert forced.exit_code == 0 and target.read_text() != "keep me\n" and mode(target) == 0o444

    spec = tmp_path / "project.yaml"
    spec.write_text("keep me\n")
    spec.chmod(0o640)
    args = ["init", str(spec), "--defaults", "--no-recommend", "--set", "task.domain=vision"]
    assert CliRunner().invoke(app, args).exit_code == 2 and spec.read_text() == "keep me\n"
    assert CliRunner().invoke(app, [*args, "--force"]).exit_code == 0
    assert "task:" in spec.read_text() and mode(spec) == 0o640
    made = CliRunner().invoke(app, ["init", str(tmp_path / "missing-dir") + "/", *args[2:]])
    assert made.exit_code == 2 and "no such directory" in made.stderr and not (tmp_path / "missing-dir").exists()


@ROOT_ONLY
def test_recommend_to_a_character_device_keeps_the_device(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    null = tmp_path / "null"
    _make_node(null, stat.S_IFCHR, (1, 3))
    options = quick.parse(["recommend", str(EXAMPLE), "-o", str(null)])
    assert options is not None and recommending.run(**options) == 0
    assert stat.S_ISCHR(os.lstat(null).st_mode) and sorted(os.listdir(tmp_path)) == ["null"]
    assert capsys.readouterr().err == f"wrote {null}\n"
