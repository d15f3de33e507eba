"""Issue 11's reproducers: hostile or broken input files get one located error (exit 2), within a second.

The library is called for most (the message, file, line and field are checked on the error object);
the CLI runs for a few, in a subprocess where a regression could block (a FIFO) or eat memory
(``/dev/zero``), so that it fails on its timeout instead of taking the suite with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor import api
from advisor.cli.commands import app
from advisor.errors import AdvisorError, EvidenceError, SpecError
from advisor.knowledge.load import KnowledgeBase
from advisor.questionnaire.sources import given_from_file
from advisor.spec import model as m
from advisor.spec.load import load_spec, parse_spec
from advisor.yaml_io import MAX_BYTES, MAX_DEPTH, MAX_NODES
from tests.spec.watchdog import watchdog

SPEC = "name: Demo\ntask:\n  domain: vision\n"
runner = CliRunner()


def _error(text: str, kb: KnowledgeBase, path: str = "spec.yaml") -> SpecError:
    """The SpecError for ``text``, which must come within a second."""
    start = time.perf_counter()
    with watchdog(5), pytest.raises(SpecError) as caught:
        parse_spec(text, kb, path=path)
    assert time.perf_counter() - start < 1.0
    assert caught.value.path == path
    return caught.value


def _file_error(path: Path, kb: KnowledgeBase) -> SpecError:
    start = time.perf_counter()
    with watchdog(5), pytest.raises(SpecError) as caught:
        load_spec(path, kb)
    assert time.perf_counter() - start < 1.0
    assert caught.value.path == str(path)
    return caught.value


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, timeout=30, cwd=cwd)


def _laughs(levels: int) -> str:
    """The "billion laughs" document: each level lists the previous one nine times."""
    names = "abcdefghij"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{names[i]}: &{names[i]} [" + ",".join([f"*{names[i - 1]}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


# --- aliases: cycles and expansion ------------------------------------------------------------------


def test_an_alias_inside_itself_is_refused_at_once(kb: KnowledgeBase) -> None:
    error = _error("&a [*a]", kb)
    assert error.line == 1 and "contains it" in error.message


def test_a_nested_alias_inside_itself_names_its_field(kb: KnowledgeBase) -> None:
    error = _error(SPEC + "deployment:\n  targets: &t\n    - kind: android\n      extra: [*t]\n", kb)
    assert (error.line, error.field) == (7, "deployment.targets[0].extra[0]")
    assert "recursive" in error.message


def test_a_mapping_that_contains_itself_is_refused(kb: KnowledgeBase) -> None:
    error = _error("name: x\ntask: &t {domain: nlp, more: {again: *t}}\n", kb)
    assert error.field == "task.more.again" and error.line == 2


def test_billion_laughs_is_refused_fast(kb: KnowledgeBase) -> None:
    text = _laughs(9)
    assert len(text) < 400  # the 342-byte file took 100 s
    error = _error(text, kb)
    assert f"more than {MAX_NODES:,} values" in error.message and "aliases" in error.message
    assert error.line is not None and error.field is not None


def test_merge_keys_that_multiply_are_refused(kb: KnowledgeBase) -> None:
    lines = ["m0: &m0 {x: 1}"] + [f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 8)}]}}" for i in range(1, 9)]
    error = _error("\n".join(lines) + "\n", kb)
    assert "expands to more than" in error.message


def test_shared_aliases_that_stay_small_are_fine(kb: KnowledgeBase) -> None:
    spec = parse_spec(SPEC.replace("vision", "&d nlp") + "description: *d\n", kb)
    assert spec.description == "nlp"


def test_deep_nesting_is_refused(kb: KnowledgeBase) -> None:
    depth = MAX_DEPTH + 1
    error = _error(SPEC + "description: " + "[" * depth + "]" * depth + "\n", kb)
    assert "levels deep" in error.message and error.line == 4
    assert error.field is not None and error.field.startswith("description[0]")


def test_too_many_values_are_refused_before_they_are_built(kb: KnowledgeBase) -> None:
    error = _error(SPEC + "description: [" + ", ".join(["1"] * (MAX_NODES + 10)) + "]\n", kb)
    assert f"more than {MAX_NODES:,} values" in error.message


# --- values the YAML constructors raise on --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2024-02-30", "'2024-02-30' is not a valid date or timestamp (day is out of range for month)"),
        ("2024-12-31 25:00:00", "not a valid date or timestamp (hour must be in 0..23)"),
        ("9" * 4301, "is not a valid integer (too large: the limit is 4300 digits)"),
        ("0x" + "f" * 4000, "is not a valid integer (too large: the limit is 4300 digits)"),
        ("!!int abc", "'abc' is not a valid integer"),
        ("!!int ''", "'' is not a valid integer"),
        ("!!float ''", "'' is not a valid number"),
        ("!!bool maybe", "'maybe' is not true or false"),
        ("!!timestamp abc", "'abc' is not a valid date or timestamp"),
        ("!!int 1:2:x", "is not a valid integer"),
    ],
)
def test_values_the_constructors_reject_are_located(kb: KnowledgeBase, value: str, words: str) -> None:
    error = _error(SPEC + f"team:\n  size: {value}\n", kb)
    assert (error.line, error.field) == (5, "team.size")
    assert words in error.message
    assert len(str(error)) < 200  # a 4,301-digit number is not echoed whole


def test_a_bad_value_shared_by_an_alias_is_located_where_it_is_written(kb: KnowledgeBase) -> None:
    error = _error("name: &n 2024-02-30\ndescription: *n\ntask: {domain: nlp}\n", kb)
    assert (error.line, error.field) == (1, "name")


def test_a_bad_key_is_located(kb: KnowledgeBase) -> None:
    error = _error(SPEC + "priorities:\n  2024-02-30: 3\n", kb)
    assert (error.line, error.field) == (5, "priorities.2024-02-30")


def test_python_tags_stay_refused(kb: KnowledgeBase) -> None:
    error = _error("name: !!python/name:os.system\ntask: {domain: nlp}\n", kb)
    assert "invalid YAML" in error.message and error.line == 1 and error.field == "name"


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x07"])
def test_control_characters_are_located_and_escaped(kb: KnowledgeBase, char: str) -> None:
    error = _error(SPEC + f"description: a{char}[2Jb\n", kb)
    assert error.line == 4 and f"U+{ord(char):04X}" in error.message
    assert char not in str(error)


def test_a_lone_surrogate_in_text_is_refused(kb: KnowledgeBase) -> None:
    assert "Unicode" in _error(SPEC + "description: \ud800\n", kb).message


# --- duplicate keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("name: x\ntask: {domain: vision, domain: nlp}\n", 2, "task.domain"),
        ('{"name":"x","task":{"domain":"nlp","domain":"nlp"}}', 1, "task.domain"),
        ("name: x\ntask:\n  domain: nlp\n  domain: nlp\n", 4, "task.domain"),
        (SPEC + "priorities: {1: 2, 0x1: 3}\n", 4, "priorities.0x1"),
        (SPEC + "priorities: {yes: 2, true: 3}\n", 4, "priorities.true"),
        (SPEC + "priorities: {~: 2, null: 3}\n", 4, "priorities.null"),
    ],
)
def test_duplicate_keys_are_found_by_identity(kb: KnowledgeBase, text: str, line: int, field: str) -> None:
    error = _error(text, kb)
    assert (error.line, error.field) == (line, field)
    assert "duplicate key (first defined on line" in error.message


def test_a_text_key_and_a_number_key_are_different_keys(kb: KnowledgeBase) -> None:
    error = _error(SPEC + "priorities: {'1': 2, 1: 3}\n", kb)
    assert "duplicate" not in error.message  # the number key is refused for not being text
    assert "must be text" in error.message and error.field == "priorities.1"


def test_a_duplicate_anchor_is_located(kb: KnowledgeBase) -> None:
    error = _error("name: &a x\ndescription: &a y\ntask: {domain: nlp}\n", kb)
    assert error.line == 2 and "duplicate anchor" in error.message and "line 1" in error.message


# --- numbers ---------------------------------------------------------------------------------------

HUGE = "1" + "0" * 400  # 10^400

NUMBER_FIELDS = [
    ("codebase:\n  framework: pytorch\n  lines_of_code: {}\n", "codebase.lines_of_code"),
    ("codebase:\n  framework: pytorch\n  models: {}\n", "codebase.models"),
    ("codebase:\n  framework: pytorch\n  custom_ops: {}\n", "codebase.custom_ops"),
    ("team:\n  size: {}\n", "team.size"),
    (
        "deployment:\n  targets:\n    - kind: android\n      latency_ms_p95: {}\n",
        "deployment.targets[0].latency_ms_p95",
    ),
    (
        "deployment:\n  targets:\n    - kind: android\n      max_model_size_mb: {}\n",
        "deployment.targets[0].max_model_size_mb",
    ),
    ("priorities:\n  debugging: {}\n", "priorities.debugging"),
    ("constraints:\n  min_ratings:\n    debugging: {}\n", "constraints.min_ratings.debugging"),
]


@pytest.mark.parametrize(("section", "field"), NUMBER_FIELDS)
@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "0x" + "f" * 4000, "1e400", ".inf", "-.inf", ".nan"])
def test_numbers_past_any_bound_are_located_errors(kb: KnowledgeBase, section: str, field: str, value: str) -> None:
    text = SPEC + section.replace("{}", value)
    error = _error(text, kb)
    assert error.field == field and error.line == text.count("\n")
    assert len(str(error)) < 300


def test_the_largest_accepted_numbers_recommend_and_migrate(tmp_path: Path) -> None:
    """Bounded numbers cannot overflow later: the extremes run through recommend and migrate."""
    path = tmp_path / "extreme.yaml"
    path.write_text(
        SPEC
        + "deployment:\n  targets:\n    - kind: server_rest\n      latency_ms_p95: 1.0e+308\n"
        + "      max_model_size_mb: 1.0e+308\n"
        + "team:\n  size: 10000\n"
        + f"codebase:\n  framework: tensorflow\n  lines_of_code: {m.MAX_LINES}\n  models: {m.MAX_MODELS}\n"
        + f"  custom_ops: {m.MAX_CUSTOM_OPS}\n"
        + "priorities:\n  debugging: 5\nconstraints:\n  min_ratings:\n    debugging: 1\n"
    )
    report = api.recommend(path, draws=200)
    assert report.winner is not None
    plan, _, _ = api.migrate(path, to="pytorch")
    assert plan is not None


def test_a_word_where_a_number_is_expected_names_the_field_not_pydantic_tags(kb: KnowledgeBase) -> None:
    error = _error(SPEC + "codebase:\n  framework: pytorch\n  lines_of_code: lots\n", kb)
    assert error.field == "codebase.lines_of_code"
    assert "or 'unknown'" in error.message and "more problem" not in error.message


# --- unknown keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["<", "a[b]", "function-after[x]", "constrained-int", "[key]"])
@pytest.mark.parametrize(
    ("where", "prefix"), [("", ""), ("task", "task."), ("deployment.targets[0]", "deployment.targets[0].")]
)
def test_unknown_keys_spelt_like_pydantic_locations(kb: KnowledgeBase, key: str, where: str, prefix: str) -> None:
    quoted = json.dumps(key)
    if where == "task":
        text = f"name: x\ntask:\n  domain: nlp\n  {quoted}: 1\n"
    elif where:
        text = SPEC + f"deployment:\n  targets:\n    - kind: android\n      {quoted}: 1\n"
    else:
        text = SPEC + f"{quoted}: 1\n"
    error = _error(text, kb)
    assert error.field == prefix + key
    assert error.message.startswith("unknown key") and error.line == text.count("\n")
    assert "did you mean 'task'" not in error.message  # the answer for a key nested in task
    if key in ("<", "a[b]"):
        assert "did you mean" not in error.message


def test_keys_that_are_not_text_are_located(kb: KnowledgeBase) -> None:
    error = _error(SPEC + "null: 1\n", kb)
    assert (error.line, error.field) == (4, "null") and "must be text" in error.message
    error = _error(SPEC + "'': 1\n", kb)
    assert error.field == '""' and error.message.startswith("unknown key")


# --- the file before it is read --------------------------------------------------------------------


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # 50 MB, sparse: nothing to read if the size is checked first
        handle.write(SPEC.encode())
        handle.truncate(50 * 1024 * 1024)
    error = _file_error(path, kb)
    assert "too large" in error.message and f"{MAX_BYTES // 1024} KiB" in error.message


def test_a_directory_is_refused(tmp_path: Path, kb: KnowledgeBase) -> None:
    assert "is a directory" in _file_error(tmp_path, kb).message


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(SPEC.encode() + b"description: caf\xe9\n")
    error = _file_error(path, kb)
    assert error.line == 4 and "not UTF-8" in error.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_without_a_writer_does_not_block(tmp_path: Path, kb: KnowledgeBase) -> None:
    fifo = tmp_path / "spec.fifo"
    os.mkfifo(fifo)
    # Should the open block after all, a writer arrives after 3 s: the test then fails on time, not hangs.
    rescue = threading.Timer(3.0, lambda: os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)))
    rescue.start()
    try:
        error = _file_error(fifo, kb)
    finally:
        rescue.cancel()
    assert "named pipe" in error.message and error.hint is not None


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_character_device_is_refused(tmp_path: Path, kb: KnowledgeBase) -> None:
    link = tmp_path / "spec.yaml"
    link.symlink_to("/dev/zero")
    assert "character device" in _file_error(link, kb).message


# --- the other inputs take the same path -----------------------------------------------------------


def test_evidence_files_are_read_the_same_safe_way(tmp_path: Path) -> None:
    for text, words in (("&a [*a]", "contains it"), ("schema_version: 2024-02-30\n", "not a valid date")):
        path = tmp_path / "results.json"
        path.write_text(text)
        with watchdog(5), pytest.raises(EvidenceError, match=words) as caught:
            api.load_evidence(path)
        assert caught.value.path == str(path) and caught.value.line == 1


def test_partial_specs_for_init_are_read_the_same_safe_way(tmp_path: Path, kb: KnowledgeBase) -> None:
    from advisor.questionnaire.questions import build_questionnaire

    path = tmp_path / "partial.yaml"
    path.write_text("task: {domain: vision, domain: nlp}\n")
    with watchdog(5), pytest.raises(SpecError, match="duplicate key") as caught:
        given_from_file(path, build_questionnaire(m.ProjectSpec))
    assert (caught.value.line, caught.value.field) == (1, "task.domain")
    path.write_text("task: {domain: nlp}\nteam: {size: 0x" + "f" * 4000 + "}\n")  # once a crash of init
    with watchdog(5), pytest.raises(SpecError, match="not a valid integer") as caught:
        given_from_file(path, build_questionnaire(m.ProjectSpec))
    assert (caught.value.line, caught.value.field) == (2, "team.size")


# --- the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&a [*a]", ":1: field '[0]': an alias refers to a value that contains it"),
        ("name: 2024-02-30\ntask: {domain: nlp}\n", ":1: field 'name': '2024-02-30' is not a valid date"),
        (SPEC + f"codebase: {{framework: pytorch, models: {HUGE}}}\n", ":4: field 'codebase.models': must be less"),
        ("name: x\ntask: {domain: vision, domain: nlp}\n", ":2: field 'task.domain': duplicate key"),
        ("name: x\ntask:\n  domain: nlp\n  '<': 1\n", ":4: field 'task.<': unknown key"),
    ],
)
def test_validate_gives_one_located_line_and_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with watchdog(10):
        result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {path}{expected}"), result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "cycle"])
def test_validate_in_a_fresh_process_does_not_block_or_spin(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "spec.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.write_text("&a [*a]")
    result = _cli("validate", str(path), cwd=tmp_path)  # times out (and fails) if it blocks or spins
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {path}") and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 2  # the error, and a hint


def test_errors_of_other_loaders_stay_advisor_errors(tmp_path: Path) -> None:
    """Data files (knowledge base, rules) share the reader: a broken one is a DataError, not a crash."""
    from advisor._loading import load_model
    from advisor.knowledge.model import CriteriaFile

    path = tmp_path / "criteria.yaml"
    path.write_text("groups: &g [*g]\n")
    with pytest.raises(AdvisorError, match="contains it"):
        load_model(path, CriteriaFile)
