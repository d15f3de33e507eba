"""Writes reports and specs without harming what is already at the destination.

One writer for every ``-o`` (and for ``advisor init``), because each way of writing a file loses
something in one case:

- A **regular file** is replaced atomically (temporary file in the same folder, ``fsync``, rename), so
  a crash or a full disk leaves the old file or the complete new one, never half of each. The new file
  gets what a plain ``>`` would give: a new file the umask's mode (created ``0666``, the kernel applies
  the umask and any default ACL); an existing file keeps its mode and, where permitted, owner and group.
- A **read-only** file (no write permission for this user; as root, whom ``access()`` never refuses, no
  write bit at all) is refused unless ``force``: someone protected it on purpose. With ``force`` it is
  replaced and stays read-only.
- A **symlink** is followed: its target is replaced atomically and the link stays a link. A dangling
  link creates its target, as ``>`` would.
- A **character device** (``/dev/null``, a terminal) and a **FIFO** are written straight through: the
  reader is the point, and a rename would swap the device node for a regular file. ``-`` is stdout.
  A block device, a socket or a directory is refused.
- A name ending in ``/`` (or ``.``, ``..``) names a **directory**, and is refused whether or not it
  exists: the writer would have to invent a file name the user never saw (and might overwrite an
  unrelated file of that name), and creating a missing folder would turn a typo into a new directory.
  The error says which of the two it is and how to fix it.
- A SIGTERM or SIGINT during an atomic write removes the temporary file, leaves the old file as it was,
  and then takes its usual effect (the handlers exist only around the write and are restored after).
  A SIGKILL cannot be caught, so temporary files are named ``.NAME.advisor-PID-TOKEN.tmp``: the next
  write to the same path removes those whose process has ended (or that are over an hour old).

Every failure is an :class:`AdvisorError` naming the path as the user gave it (exit 2).
Atomic replacement gives the path a new inode: another hard link to the old file keeps the old text.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType

from advisor.errors import AdvisorError

CHUNK = 1 << 20  # bytes per write(); a caught signal is noticed between chunks
LEFTOVER_AGE_S = 3600  # a temporary file this old is stale even if its process id is in use again
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_IN_FLIGHT: set[str] = set()  # temporary files this process is writing now (another thread's are not stale)


def write_text(destination: str, text: str, *, force: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``destination``: a path, or ``-`` for standard output.

    ``force`` replaces a read-only file. See the module docstring for what each kind of path gets.
    """
    if destination == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    data = text.encode("utf-8")
    real, existing = _plan(destination, force=force)
    if real is None:
        _write_through(destination, data)
    else:
        _replace(destination, real, existing, data)


def check_destination(destination: str, *, force: bool = False) -> None:
    """Raise now the error :func:`write_text` would raise about ``destination`` itself (a directory, a
    missing folder, a read-only file without ``force``, a block device), so that a command which works
    for a while first (``advisor init`` asks questions) can refuse before the user has done the work."""
    if destination != "-":
        _plan(destination, force=force)


def _plan(destination: str, *, force: bool) -> tuple[str | None, os.stat_result | None]:
    """The file to replace atomically and what is there now; ``(None, ...)`` to write straight through."""
    existing = _existing(destination)
    if existing is not None and (stat.S_ISCHR(existing.st_mode) or stat.S_ISFIFO(existing.st_mode)):
        return None, existing
    real = _real_path(destination, existing)
    if existing is not None and _read_only(real, existing) and not force:
        raise AdvisorError(
            "is read-only; not replaced", path=destination, hint="use --force to replace it (it stays read-only)"
        )
    return real, existing


def temp_name_pattern(name: str) -> re.Pattern[str]:
    """The names of this writer's temporary files for a file called ``name``; group 1 is the process id."""
    return re.compile(re.escape(f".{_temp_stem(name)}.advisor-") + r"([0-9]{1,10})-[0-9a-f]{8}\.tmp")


def _existing(destination: str) -> os.stat_result | None:
    """What is at ``destination`` now (links followed), None if nothing; refuses what is never written."""
    if not destination:
        raise AdvisorError("the output file name is empty")
    if "\0" in destination:  # no system call takes it (argv cannot carry one; an API caller can)
        raise AdvisorError("the file name contains a NUL byte", path=destination)
    if destination.endswith(("/", os.sep)) or os.path.basename(destination) in (".", ".."):
        _refuse_directory(destination)
    try:
        found = os.stat(destination)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AdvisorError(f"cannot write: {exc.strerror}", path=destination) from None
    if stat.S_ISDIR(found.st_mode):
        raise AdvisorError("is a directory; give a file name", path=destination, hint="add a file name after it")
    if not (stat.S_ISREG(found.st_mode) or stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode)):
        kind = "a block device" if stat.S_ISBLK(found.st_mode) else "a socket or other special file"
        raise AdvisorError(f"is {kind}; not written", path=destination, hint="give a regular file, a FIFO or '-'")
    return found


def _refuse_directory(destination: str) -> None:
    """A name that can only be a directory: say whether it exists, and how to write a file instead."""
    folder = destination.rstrip("/" + os.sep) or destination
    if os.path.isdir(destination):
        raise AdvisorError("is a directory; give a file name", path=destination, hint="add a file name after it")
    if os.path.lexists(folder):
        raise AdvisorError("is not a directory", path=destination, hint="drop the trailing '/' to write that file")
    raise AdvisorError(
        "no such directory",
        path=destination,
        hint=f"create it first (mkdir -p {folder}), or drop the trailing '/' to write a file of that name",
    )


def _real_path(destination: str, existing: os.stat_result | None) -> str:
    """The file to replace: ``destination`` with every symlink followed (its folder must exist)."""
    real = os.path.realpath(destination)
    if existing is not None:
        try:
            same = os.path.samestat(os.stat(real), existing)
        except OSError:
            same = False
        if not same:  # e.g. /dev/stdout pointing at a deleted file
            raise AdvisorError("cannot find the file this link points to", path=destination)
        return real
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        shown = folder if os.path.islink(destination) else os.path.dirname(destination) or folder
        raise AdvisorError(f"the folder {shown} does not exist", path=destination, hint="create it first")
    return real


def _write_through(destination: str, data: bytes) -> None:
    """Write to a character device or FIFO as it is (opening a FIFO waits for its reader, as ``>`` does)."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(destination, flags)
    except OSError as exc:
        raise AdvisorError(f"cannot open for writing: {exc.strerror}", path=destination) from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # swapped for something else since it was checked
            raise AdvisorError("changed while it was being opened; not written", path=destination)
        _write_all(fd, data)
    except BrokenPipeError:
        raise AdvisorError("the reader closed the pipe before everything was written", path=destination) from None
    except OSError as exc:
        raise AdvisorError(f"cannot write: {exc.strerror}", path=destination) from None
    finally:
        os.close(fd)


def _replace(destination: str, real: str, existing: os.stat_result | None, data: bytes) -> None:
    """Atomically replace (or create) the regular file ``real``; ``destination`` is how errors name it."""
    folder, name = os.path.split(real)
    _remove_leftovers(folder, name)
    temp = os.path.join(folder, f".{_temp_stem(name)}.advisor-{os.getpid()}-{secrets.token_hex(4)}.tmp")
    replaced = False
    _IN_FLIGHT.add(temp)
    try:
        with _SignalGuard() as guard:
            fd = _create(temp, destination, existing)  # raises when nothing was created
            try:
                if _fill(fd, existing, data, guard):
                    os.replace(temp, real)
                    replaced = True
            except OSError as exc:
                raise AdvisorError(f"cannot write: {exc.strerror}", path=destination) from None
            finally:
                if not replaced:
                    with contextlib.suppress(OSError):
                        os.unlink(temp)
    finally:
        _IN_FLIGHT.discard(temp)
    if not replaced:  # a signal whose handler returned: the caller must not report the file as written
        raise AdvisorError("interrupted; the file was not changed", path=destination)
    _sync_folder(folder)


def _create(temp: str, destination: str, existing: os.stat_result | None) -> int:
    """Open a new ``temp``: mode 0666 for a new file (the kernel applies the umask), 0600 until an
    existing file's mode is copied (never wider than the final file)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(temp, flags, 0o600 if existing is not None else 0o666)
    except FileExistsError:  # a 32-bit random token met its twin: not ours, so not removed either
        raise AdvisorError("a temporary file of that name exists; try again", path=destination) from None
    except OSError as exc:
        raise AdvisorError(
            f"cannot create a file in {os.path.dirname(temp) or '.'}: {exc.strerror}",
            path=destination,
            hint="the file is replaced atomically, which needs write access to its folder",
        ) from None


def _fill(fd: int, existing: os.stat_result | None, data: bytes, guard: _SignalGuard) -> bool:
    """Write ``data`` to the open temporary file, give it an existing file's owner and mode, put it on
    disk and close it; False if a signal came first."""
    try:
        if not _write_all(fd, data, stop=guard.caught):
            return False
        if existing is not None:  # after writing: a write by a user without CAP_FSETID clears set-id bits
            _keep_owner_and_mode(fd, existing)
        os.fsync(fd)
    finally:
        os.close(fd)
    return not guard.caught()


def _write_all(fd: int, data: bytes, stop: Callable[[], bool] = lambda: False) -> bool:
    """Write every byte (``os.write`` may write fewer); False as soon as ``stop()`` is true."""
    view = memoryview(data)
    while view:
        if stop():
            return False
        view = view[os.write(fd, view[:CHUNK]) :]
    return True


def _read_only(path: str, found: os.stat_result) -> bool:
    """This user may not write the file, or nobody may (root passes ``access()`` whatever the mode)."""
    return not os.access(path, os.W_OK) or not found.st_mode & 0o222


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    """Give the new file the old one's owner and group where permitted, then its mode.

    Owner first: ``chown`` clears the set-id bits. When the owner cannot be kept, the set-id bits are
    dropped: a set-uid file now owned by this user would run as this user, not as the old owner.
    """
    mode = stat.S_IMODE(old.st_mode)
    if hasattr(os, "fchown"):
        now = os.fstat(fd)
        if (now.st_uid, now.st_gid) != (old.st_uid, old.st_gid):
            try:
                os.fchown(fd, old.st_uid, old.st_gid)
            except OSError:
                mode &= ~(stat.S_ISUID | stat.S_ISGID)
                with contextlib.suppress(OSError):
                    os.fchown(fd, -1, old.st_gid)  # allowed when this user is in the group
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)


def _temp_stem(name: str) -> str:
    """The file name as it appears in temporary names; a long one is hashed, so the name stays < 255 bytes."""
    raw = os.fsencode(name)
    return name if len(raw) <= 100 else hashlib.sha256(raw).hexdigest()[:16]


def _remove_leftovers(folder: str, name: str) -> None:
    """Remove temporary files for ``name`` left by writers that were killed (SIGKILL, power loss)."""
    pattern = temp_name_pattern(name)
    try:
        entries = list(os.scandir(folder or "."))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is not None and _stale(entry, int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _stale(entry: os.DirEntry[str], pid: int) -> bool:
    """A leftover nobody is writing: its process has ended (this one counts as ended unless it is
    writing that very file in another thread), or it is too old to belong to a live write."""
    try:
        if not entry.is_file(follow_symlinks=False) or entry.path in _IN_FLIGHT:
            return False
        if pid == os.getpid() or time.time() - entry.stat(follow_symlinks=False).st_mtime > LEFTOVER_AGE_S:
            return True
    except OSError:
        return False
    return not _alive(pid)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (signal 0 checks without sending); on Windows, assume it does:
    there ``os.kill(pid, 0)`` would send a Ctrl-C event."""
    if os.name == "nt" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # PermissionError: another user's live process
        return True
    return True


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (best effort: not every system can fsync a folder)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _SignalGuard:
    """While active, SIGINT and SIGTERM are only recorded, so the writer can stop between chunks and
    remove its temporary file; on exit the old handlers come back and a recorded signal is raised
    again, to take the effect it would have had (KeyboardInterrupt, termination, a caller's handler).

    Handlers can only be set from the main thread; elsewhere the guard does nothing (and a killed
    writer's file is removed by the next write). A signal that is ignored stays ignored.
    """

    def __init__(self) -> None:
        self._signal: int | None = None
        self._previous: dict[int, object] = {}

    def caught(self) -> bool:
        return self._signal is not None

    def _record(self, signum: int, frame: FrameType | None) -> None:
        if self._signal is None:
            self._signal = signum

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in _SIGNALS:
                previous = signal.getsignal(signum)
                if previous is None or previous == signal.SIG_IGN:  # set outside Python, or ignored on purpose
                    continue
                self._previous[signum] = previous
                signal.signal(signum, self._record)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]
        if self._signal is not None:
            signal.raise_signal(self._signal)
