"""A compiled, content-hashed cache of loaded data (the knowledge base and rules), so start-up skips YAML.

Loading ``knowledge_base/`` and ``rules/`` means parsing dozens of YAML files and validating them with
pydantic; the result depends only on those files and on this code. :func:`cached` keeps the loaded result
as a pickle under the user cache folder (``$XDG_CACHE_HOME/framework-advisor``, else
``~/.cache/framework-advisor``), keyed by a SHA-256 over:

- every file under the data folders (relative path and contents), so any edit, new or removed file misses;
- the source of the ``advisor`` package, its version, and the Python, pydantic and PyYAML versions, so a
  cache is never trusted across versions (not even across edits of an editable checkout).

The cache can only make loading faster, never different: a missing, unreadable, corrupt, truncated or
foreign file, a key or checksum mismatch, or any failure to unpickle is a miss, and the data is loaded
from the files again. A folder or file owned by someone else or writable by others is never read (a
pickle is code). Writing is atomic (temporary file + rename) and best effort: an unwritable cache folder
just means no cache. ``FRAMEWORK_ADVISOR_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

APP = "framework-advisor"
DISABLE_ENV = "FRAMEWORK_ADVISOR_NO_CACHE"
MAGIC = b"framework-advisor cache 1\n"
KEEP = 8  # cache files kept per folder (one per distinct set of data folders and code)
_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """The folder for cache files, or None when there is no home to put it in."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative path is invalid and ignored
        return Path(xdg) / APP
    try:
        return Path.home() / ".cache" / APP
    except (RuntimeError, KeyError, OSError):
        return None


def cached(kind: str, roots: Iterable[Path], build: Callable[[], T], accept: Callable[[object], bool]) -> T:
    """``build()``'s result for the data under ``roots``, from the cache when it is current.

    ``kind`` names what is cached (part of the key and the file name); ``accept`` checks the shape of an
    unpickled value (a cheap guard on top of the checksum). Errors from ``build`` propagate unchanged and
    nothing is stored for them.
    """
    folder = None if os.environ.get(DISABLE_ENV, "") not in ("", "0") else cache_dir()
    key = None
    if folder is not None:
        try:
            key = cache_key(kind, roots)
        except (OSError, ValueError):  # a data file we cannot read: let the loader report it
            key = None
    if folder is None or key is None:
        return build()
    path = folder / f"{kind}-{key[:32]}.pickle"
    value = _read(path, key, accept)
    if value is not None:
        return value  # type: ignore[return-value]
    value = build()
    _write(folder, kind, path, key, value)
    return value


def cache_key(kind: str, roots: Iterable[Path]) -> str:
    """SHA-256 (hex) over the versions, the package source and every file under ``roots``."""
    import pydantic
    import yaml

    digest = hashlib.sha256()
    for part in (kind, _version(), sys.version, sys.implementation.cache_tag, pydantic.VERSION, yaml.__version__):
        _feed(digest, str(part).encode())
    _feed_tree(digest, _PACKAGE, suffix=".py")
    for root in roots:
        _feed(digest, os.fsencode(os.path.abspath(root)))
        _feed_tree(digest, Path(root))
    return digest.hexdigest()


def _version() -> str:
    from advisor import __version__

    return __version__


def _feed(digest: hashlib._Hash, data: bytes) -> None:
    digest.update(len(data).to_bytes(8, "little"))
    digest.update(data)


def _feed_tree(digest: hashlib._Hash, root: Path, suffix: str = "") -> None:
    """Relative path and contents of every file under ``root``, sorted; symlinked folders are followed
    (as the loaders' globs follow them), each real folder once."""
    files: list[str] = []
    visited: set[tuple[int, int]] = set()
    for folder, dirs, names in os.walk(root, followlinks=True):
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in visited:
            dirs[:] = []
            continue
        visited.add((st.st_dev, st.st_ino))
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        files += [os.path.join(folder, n) for n in names if n.endswith(suffix)]
    _feed(digest, str(len(files)).encode())
    for name in sorted(files):
        _feed(digest, os.fsencode(os.path.relpath(name, root)))
        with open(name, "rb") as handle:
            _feed(digest, handle.read())


def _trusted(st: os.stat_result) -> bool:
    """Owned by this user and not writable by group or others (POSIX); a pickle from elsewhere is code."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _read(path: Path, key: str, accept: Callable[[object], bool]) -> object | None:
    """The cached value, or None for anything but a verified, current, well-formed file."""
    try:
        if not _trusted(os.stat(path.parent)):
            return None
        with open(path, "rb") as handle:
            if not _trusted(os.fstat(handle.fileno())):
                return None
            blob = handle.read()
        prefix = MAGIC + key.encode() + b"\n"
        if not blob.startswith(prefix):
            return None
        checksum, newline, payload = blob[len(prefix) :].partition(b"\n")
        if not newline or hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        value = pickle.loads(payload)
    except Exception:  # missing, unreadable or undecodable: each of them is a miss
        return None
    return value if accept(value) else None


def _write(folder: Path, kind: str, path: Path, key: str, value: object) -> None:
    """Store ``value`` atomically; any failure (read-only folder, full disk, unpicklable) is ignored."""
    temp = None
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC + key.encode() + b"\n")
            handle.write(hashlib.sha256(payload).hexdigest().encode() + b"\n")
            handle.write(payload)
        os.replace(temp, path)
        temp = None
        _prune(folder, kind)
    except Exception:  # the cache is an optimisation; the loaded value is returned anyway
        pass
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _prune(folder: Path, kind: str) -> None:
    """Keep the newest KEEP cache files of ``kind``; drop temporary files left by crashed writers."""
    now = time.time()
    found = []
    for entry in os.scandir(folder):
        try:
            mtime = entry.stat().st_mtime
        except OSError:
            continue
        if entry.name.startswith(f"{kind}-") and entry.name.endswith(".pickle"):
            found.append((mtime, entry.path))
        elif entry.name.startswith(f".{kind}-") and entry.name.endswith(".tmp") and now - mtime > 3600:
            os.unlink(entry.path)
    for _, stale in sorted(found, reverse=True)[KEEP:]:
        os.unlink(stale)
