"""The content-hashed cache of the loaded knowledge base and rules (advisor._cache via api.load_context).

It may only make loading faster: an edit invalidates it, a damaged, foreign or untrusted file is ignored and
rebuilt, an unwritable cache folder just means no cache, and what it returns equals a fresh load.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
from pathlib import Path

import pytest

import advisor
from advisor import _cache, api
from advisor.errors import DataError
from advisor.paths import data_dir


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder; returns the folder the cache files go to."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(_cache.DISABLE_ENV, raising=False)
    return tmp_path / "xdg" / _cache.APP


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the shipped knowledge base and rules, free to edit."""
    knowledge, rules = tmp_path / "knowledge_base", tmp_path / "rules"
    shutil.copytree(data_dir("knowledge_base"), knowledge)
    shutil.copytree(data_dir("rules"), rules)
    return knowledge, rules


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path | None, Path | None]]:
    """Records every load from the files (a cache miss)."""
    calls: list[tuple[Path | None, Path | None]] = []
    fresh = api._load_context

    def counting(knowledge_dir: Path | None, rules_dir: Path | None):  # type: ignore[no-untyped-def]
        calls.append((knowledge_dir, rules_dir))
        return fresh(knowledge_dir, rules_dir)

    monkeypatch.setattr(api, "_load_context", counting)
    return calls


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("context-*.pickle")) if folder.is_dir() else []


def test_cached_context_equals_a_fresh_load(cache_home: Path, builds: list) -> None:  # type: ignore[type-arg]
    first = api.load_context()
    assert len(builds) == 1 and len(_files(cache_home)) == 1
    second = api.load_context()
    assert len(builds) == 1, "the second load must come from the cache"
    fresh = api._load_context(None, None)
    assert second == fresh == first
    kb, rules = second
    assert kb.entries == fresh[0].entries and kb.entry_files == fresh[0].entry_files
    assert kb.as_of == fresh[0].as_of and [r.id for r in rules] == [r.id for r in fresh[1]]
    assert second is not first  # a copy from the file, not an object kept in memory


def test_a_changed_data_file_invalidates_the_cache(
    cache_home: Path,
    data: tuple[Path, Path],
    builds: list,  # type: ignore[type-arg]
) -> None:
    knowledge, rules = data
    kb, _ = api.load_context(knowledge, rules)
    entry = next(iter(kb.entries.values()))
    path = knowledge / "entries" / kb.entry_files[entry.id]
    text = path.read_text(encoding="utf-8")
    assert entry.summary in text
    path.write_text(text.replace(entry.summary, entry.summary + " (edited)", 1), encoding="utf-8")
    edited, _ = api.load_context(knowledge, rules)
    assert edited.entries[entry.id].summary == entry.summary + " (edited)"
    rule_file = sorted(rules.glob("*.yaml"))[0]
    rule_file.rename(rules / "not-a-rule.txt")  # a removed rule: listing and contents change
    _, fewer = api.load_context(knowledge, rules)
    assert rule_file.stem not in {r.id for r in fewer}
    assert len(builds) == 3 and len(_files(cache_home)) == 3


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symlinks")
def test_files_behind_symlinked_folders_count_and_loops_end(
    cache_home: Path,
    data: tuple[Path, Path],
    tmp_path: Path,
    builds: list,  # type: ignore[type-arg]
) -> None:
    knowledge, rules = data
    elsewhere = tmp_path / "entries-elsewhere"
    (knowledge / "entries").rename(elsewhere)
    (knowledge / "entries").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "loop").symlink_to(knowledge, target_is_directory=True)  # no *.yaml the loader reads
    kb, _ = api.load_context(knowledge, rules)
    entry = next(iter(kb.entries.values()))
    path = elsewhere / kb.entry_files[entry.id]
    path.write_text(path.read_text(encoding="utf-8").replace(entry.summary, entry.summary + " (moved)", 1))
    moved, _ = api.load_context(knowledge, rules)
    assert moved.entries[entry.id].summary == entry.summary + " (moved)" and len(builds) == 2


def test_versions_and_folders_are_part_of_the_key(
    cache_home: Path,
    data: tuple[Path, Path],
    builds: list,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    knowledge, rules = data
    roots = (knowledge, rules)
    key = _cache.cache_key("context", roots)
    monkeypatch.setattr(advisor, "__version__", advisor.__version__ + ".post1")
    assert _cache.cache_key("context", roots) != key
    monkeypatch.undo()
    monkeypatch.setattr(sys, "version", sys.version + " (patched)")
    assert _cache.cache_key("context", roots) != key
    monkeypatch.undo()
    assert _cache.cache_key("context", roots) == key
    assert _cache.cache_key("context", (data_dir("knowledge_base"), data_dir("rules"))) != key  # same files
    assert _cache.cache_key("other", roots) != key


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: blob[: len(blob) // 2],  # truncated
        lambda blob: blob[:-10] + bytes(10),  # payload changed: checksum mismatch
        lambda blob: b"not a cache file at all",
        lambda blob: blob.replace(_cache.MAGIC, b"framework-advisor cache 0\n"),  # another format
    ],
    ids=["empty", "truncated", "corrupt-payload", "garbage", "old-format"],
)
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(cache_home: Path, builds: list, damage) -> None:  # type: ignore[no-untyped-def, type-arg]
    expected = api.load_context()
    [path] = _files(cache_home)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    assert api.load_context() == expected
    assert len(builds) == 2
    assert path.read_bytes() == good  # rewritten
    assert api.load_context() == expected and len(builds) == 2


def test_a_well_formed_file_with_the_wrong_content_is_not_trusted(
    cache_home: Path,
    data: tuple[Path, Path],
    builds: list,  # type: ignore[type-arg]
) -> None:
    knowledge, rules = data
    expected = api.load_context(knowledge, rules)
    old_key = _cache.cache_key("context", (knowledge, rules))
    valid = (cache_home / f"context-{old_key[:32]}.pickle").read_bytes()
    (knowledge / "entries" / "zz-extra.yaml").write_text("entries: []\n", encoding="utf-8")
    new_key = _cache.cache_key("context", (knowledge, rules))
    planted = cache_home / f"context-{new_key[:32]}.pickle"
    planted.write_bytes(valid)  # another key's intact file under this key's name: its header names the old key
    assert api.load_context(knowledge, rules) == expected and len(builds) == 2
    payload = pickle.dumps(("not", "a context"))  # right header and checksum, wrong shape
    checksum = hashlib.sha256(payload).hexdigest().encode()
    planted.write_bytes(_cache.MAGIC + new_key.encode() + b"\n" + checksum + b"\n" + payload)
    assert api.load_context(knowledge, rules) == expected and len(builds) == 3
    assert api.load_context(knowledge, rules) == expected and len(builds) == 3  # the rebuilt file is good


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership and modes")
def test_a_cache_file_others_can_write_is_never_read(cache_home: Path, builds: list) -> None:  # type: ignore[type-arg]
    api.load_context()
    [path] = _files(cache_home)
    path.chmod(0o666)
    api.load_context()
    assert len(builds) == 2
    path.chmod(0o600)
    cache_home.chmod(0o777)
    api.load_context()
    assert len(builds) == 3


def test_an_unwritable_cache_folder_still_works(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    builds: list,  # type: ignore[type-arg]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder cannot be created under a file\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert api.load_context() == api.load_context()
    assert len(builds) == 2 and blocker.is_file()  # loaded from the files both times


def test_a_failing_write_leaves_no_file_and_still_returns_the_context(
    cache_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    builds: list,  # type: ignore[type-arg]
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_cache.os, "replace", refuse)
    assert api.load_context() == api.load_context()
    assert len(builds) == 2 and not _files(cache_home) and not list(cache_home.glob(".*.tmp"))


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="root writes anywhere")
def test_a_read_only_cache_folder_still_works(cache_home: Path, builds: list) -> None:  # type: ignore[type-arg]
    cache_home.mkdir(parents=True)
    cache_home.chmod(0o500)
    try:
        assert api.load_context() == api.load_context()
        assert len(builds) == 2 and not _files(cache_home)
    finally:
        cache_home.chmod(0o700)


def test_the_cache_can_be_turned_off_and_errors_are_never_cached(
    cache_home: Path,
    data: tuple[Path, Path],
    builds: list,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(_cache.DISABLE_ENV, "1")
    api.load_context()
    assert not _files(cache_home)
    monkeypatch.delenv(_cache.DISABLE_ENV)
    knowledge, rules = data
    (knowledge / "entries" / "zz-broken.yaml").write_text("entries: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DataError, match="invalid YAML"):
            api.load_context(knowledge, rules)
    assert len(builds) == 3 and not _files(cache_home)


def test_old_cache_files_are_pruned(cache_home: Path, data: tuple[Path, Path]) -> None:
    knowledge, rules = data
    note = knowledge / "entries" / "zz-empty.yaml"
    for index in range(_cache.KEEP + 2):
        note.write_text(f"# version {index}\nentries: []\n", encoding="utf-8")
        api.load_context(knowledge, rules)
    assert len(_files(cache_home)) == _cache.KEEP
    assert not list(cache_home.glob(".*.tmp"))
