"""Evidence files (``--evidence``) are validated: every broken number is one located error, exit 2.

Issue 11 found that a ratio of 0 or below and huge byte counts crashed every format, NaN, infinite
and negative times crashed the HTML renderer, a NaN ratio was scored as the largest advantage, and a
future protocol version was accepted silently. Each is a test here, through the CLI in every format,
plus a property test that mutates a valid saved run, and the defence in depth behind validation:
a run built in code with a non-finite ratio is never scored and never reaches a renderer.
"""

from __future__ import annotations

import gc
import io
import json
import math
import re
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from advisor.api import load_context, load_evidence, recommend, validate
from advisor.cli.commands import app
from advisor.errors import EvidenceError
from advisor.evidence.probe_run import ProbeRun
from advisor.evidence.protocol import DeployCheck, ProbeResult
from advisor.probing.progress import ProbeProgress
from advisor.report.formats import renderer
from advisor.scoring.evaluate import evaluate
from advisor.scoring.evidence import evidence_from
from advisor.scoring.probe_summary import summarize_run
from advisor.scoring.result import Recommendation
from tests.conftest import EXAMPLES
from tests.probing import synthetic

SPEC = EXAMPLES / "vision-mobile-startup.yaml"
FORMATS = ["terminal", "markdown", "json", "html", "adr"]
NAN, INF = float("nan"), float("inf")

NON_FINITE = re.compile(r"\b(nan|-?inf(inity)?)\b", re.IGNORECASE)


@cache
def _prose_spellings(fmt: str) -> int:
    """How often the report without evidence spells NaN or infinity in words: knowledge text may
    (JAX's NaN checking is a debugging feature), so evidence must add none beyond these."""
    return len(NON_FINITE.findall(renderer(fmt)(recommend(SPEC))))


def _spells_non_finite(text: str, fmt: str) -> bool:
    return len(NON_FINITE.findall(text)) > _prose_spellings(fmt)


Document = dict[str, Any]


@cache
def _valid_document() -> str:
    """A saved run with every kind of field filled in: cells, comparisons, a deployment check.

    Each cell keeps four raw samples (the comparisons are saved, not recomputed on reading), so the
    fuzz test's mutations are not spent mostly on the elements of long sample lists.
    """
    check = DeployCheck(
        target="onnx",
        workload="cnn",
        route="torch.onnx.export -> onnxruntime",
        status="ok",
        max_abs_error=1e-6,
        max_rel_error=1e-5,
        tolerance="fp32",
        artifact_bytes=123_456,
        convert_s=1.5,
    )
    run = synthetic.with_deploy_checks(synthetic.run(), {"pytorch": [check]})
    short = {"train_step_samples", "infer_b1_samples"}
    results = [
        r.model_copy(update={"cells": [c.model_copy(update={k: getattr(c, k)[:4] for k in short}) for c in r.cells]})
        for r in run.results
    ]
    return run.model_copy(update={"results": results}).model_dump_json()


def _document() -> Document:
    return json.loads(_valid_document())  # type: ignore[no-any-return]


def _first(doc: Document, metric: str) -> Document:
    return next(c for c in doc["comparisons"] if c["metric"] == metric)  # type: ignore[no-any-return]


def _cell(doc: Document) -> Document:
    return doc["results"][0]["cells"][0]  # type: ignore[no-any-return]


# Each reproducer of the issue: a change to a valid run, and the field the error must name.
REPRODUCERS: dict[str, tuple[Callable[[Document], None], str]] = {
    "ratio zero": (lambda d: _first(d, "train_step_time").update(ratio=0), "comparisons[0].ratio"),
    "ratio negative": (
        lambda d: _first(d, "train_step_time").update(ratio=-0.5, low=-0.6, high=-0.4),
        "comparisons[0].ratio",
    ),
    "ratio NaN": (
        lambda d: _first(d, "train_step_time").update(ratio=NAN, low=NAN, high=NAN),
        "comparisons[0].ratio",
    ),
    "huge peak memory": (
        lambda d: _cell(d).update(peak_memory_bytes=10**400),
        "results[0].cells[0].peak_memory_bytes",
    ),
    "huge artifact": (
        lambda d: d["results"][0]["deploy_checks"][0].update(artifact_bytes=10**30),
        "results[0].deploy_checks[0].artifact_bytes",
    ),
    "NaN time": (lambda d: _cell(d)["train_step"].update(median=NAN), "results[0].cells[0].train_step.median"),
    "infinite time": (lambda d: _cell(d)["infer_b1"].update(p95=INF), "results[0].cells[0].infer_b1.p95"),
    "negative time": (lambda d: _cell(d).update(first_step_s=-0.2), "results[0].cells[0].first_step_s"),
    "negative sample": (lambda d: _cell(d)["train_step_samples"].__setitem__(2, -1.0), "train_step_samples[2]"),
    "future protocol": (
        lambda d: d["results"][1].update(protocol_version="2.0"),
        "results[1].protocol_version",
    ),
    "future schema": (lambda d: d.update(schema_version="9.0"), "schema_version"),
    "schema before the noise checks": (lambda d: d.update(schema_version="1.0"), "schema_version"),
    "over budget flag contradicts the times": (
        lambda d: d["results"][0].update(wall_s=97.4, budget_s=90, over_budget=False),
        "results[0]",
    ),
}


def _write(path: Path, doc: Document, style: str = "json") -> Path:
    """``doc`` as JSON (NaN and Infinity as Python writes them) or YAML (``.nan``, ``.inf``)."""
    text = json.dumps(doc, indent=2) if style == "json" else yaml.safe_dump(doc, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", REPRODUCERS)
def test_each_reproducer_is_one_located_error_in_every_format(tmp_path: Path, name: str) -> None:
    change, field = REPRODUCERS[name]
    doc = _document()
    change(doc)
    saved = _write(tmp_path / "results.json", doc)
    for fmt in FORMATS:
        gc.collect()  # in CI this process also holds the frameworks' heaps: collect them outside the timing
        started = time.perf_counter()
        result = CliRunner().invoke(app, ["recommend", str(SPEC), "--evidence", str(saved), "-f", fmt])
        assert time.perf_counter() - started < 1.0
        assert result.exit_code == 2, (fmt, result.output)
        assert result.stdout == ""
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        message = result.stderr.splitlines()[0]
        assert f"{saved}:" in message and field in message, message  # file, line and field


@pytest.mark.parametrize("style", ["json", "yaml"])
def test_non_finite_numbers_are_refused_however_they_are_spelt(tmp_path: Path, style: str) -> None:
    for value in (NAN, INF, -INF, "NaN", "inf", "1e400"):
        doc = _document()
        _first(doc, "train_step_time")["high"] = value
        with pytest.raises(EvidenceError) as caught:
            load_evidence(_write(tmp_path / f"results.{style}", doc, style))
        assert caught.value.field == "comparisons[0].high" and caught.value.line is not None, value


def test_the_error_for_a_future_protocol_says_what_this_advisor_reads(tmp_path: Path) -> None:
    doc = _document()
    doc["results"][1]["protocol_version"] = "9.0"
    with pytest.raises(EvidenceError) as caught:
        load_evidence(_write(tmp_path / "results.json", doc))
    assert "unknown protocol version" in caught.value.message and "reads 1.0" in caught.value.message
    assert caught.value.path == str(tmp_path / "results.json") and caught.value.line is not None


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: _first(d, "train_step_time").update(low=0.6, high=0.4), "comparisons[0].high", "below its low"),
        (
            lambda d: _first(d, "train_step_time").update(winner="tensorflow"),
            "comparisons[0].winner",
            "names pytorch",
        ),
        (lambda d: _first(d, "infer_b1_latency").update(winner="pytorch"), "comparisons[1].winner", "no winner"),
        (lambda d: _first(d, "train_step_time").update(winner="keras"), "comparisons[0].winner", "must be"),
        (lambda d: d["results"][0]["settings"].update(threads=10**30), "results[0].settings.threads", "64 bits"),
        (lambda d: d["results"][0]["settings"].update(threads=NAN), "results[0].settings.threads", "finite"),
        (lambda d: d["settings"].update(threads=0), "settings.threads", "greater than"),
        (lambda d: d.update(wall_s=-1), "wall_s", "greater than"),
        (lambda d: _cell(d)["train_step"].update(n=0), "results[0].cells[0].train_step.n", "greater than"),
    ],
)
def test_numbers_that_contradict_each_other_or_overflow_are_located_errors(
    tmp_path: Path, change: Callable[[Document], None], field: str, words: str
) -> None:
    doc = _document()
    change(doc)
    with pytest.raises(EvidenceError) as caught:
        load_evidence(_write(tmp_path / "results.yaml", doc, "yaml"))  # YAML: a NaN setting is a number, not text
    assert caught.value.field == field and caught.value.line is not None
    assert words in caught.value.message


def test_a_valid_run_gives_a_clean_report_in_every_format(tmp_path: Path) -> None:
    saved = tmp_path / "results.json"
    saved.write_text(_valid_document(), encoding="utf-8")
    for fmt in FORMATS:
        result = CliRunner().invoke(
            app, ["recommend", str(SPEC), "--evidence", str(saved), "-f", fmt, "--draws", "100"]
        )
        assert result.exit_code == 0, (fmt, result.output)
        assert not _spells_non_finite(result.stdout, fmt), fmt


def test_a_nan_parity_error_from_a_child_is_carried_as_missing() -> None:
    """A converted model whose outputs are NaN gives a NaN error: the child must still report it."""
    check = DeployCheck(
        target="onnx", workload="mlp", route="r", status="parity_failed", max_abs_error=NAN, max_rel_error=INF
    )
    assert check.max_abs_error is None and check.max_rel_error is None
    assert DeployCheck.model_validate_json(check.model_dump_json()) == check
    assert ProbeResult(framework="pytorch", status="ok").protocol_version == "1.0"


# Defence in depth: runs built in code skip validation, and must still never be scored or rendered.


def _with_comparison(run: ProbeRun, **numbers: float) -> ProbeRun:
    comparisons = [
        c.model_copy(update={**numbers, "winner": "pytorch"}) if c.metric == "train_step_time" else c
        for c in run.comparisons
    ]
    return run.model_copy(update={"comparisons": comparisons})


@cache
def _context() -> tuple[Any, ...]:
    kb, rules = load_context()
    return kb, rules, validate(SPEC)


def _report(run: ProbeRun) -> Recommendation:
    kb, rules, spec = _context()
    return evaluate(spec, kb, rules, spec_file=SPEC.name, draws=100, evidence=run)


def _floats(value: Any) -> Iterator[float]:
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _floats(item)


def _assert_renders_finite(report: Recommendation, *, user_text: bool = False) -> None:
    """Every number in the report is finite, and every format renders it; without text from the
    user that could spell it (a setting "NaN"), no rendered report shows NaN or infinity either."""
    assert all(math.isfinite(x) for x in _floats(report.model_dump()))
    for fmt in FORMATS:
        text = renderer(fmt)(report)
        assert user_text or not _spells_non_finite(text, fmt), fmt


@pytest.mark.parametrize("ratio", [NAN, INF, 0.0, -2.0])
def test_an_unusable_comparison_built_in_code_is_dropped_with_a_warning(ratio: float) -> None:
    run = _with_comparison(synthetic.run(), ratio=ratio, low=ratio, high=ratio)
    evidence = evidence_from(run, ["pytorch", "tensorflow"])
    assert ("training_performance", "pytorch") not in evidence.terms
    assert ("training_performance", "pytorch") not in evidence.sds  # nothing measured: not narrowed either
    assert any("train_step_time comparison dropped" in w for w in evidence.warnings)
    report = _report(run)
    assert report.evidence.probe is not None
    assert [c.metric for c in report.evidence.probe.comparisons] == ["infer_b1_latency"]
    _assert_renders_finite(report)
    assert "comparison dropped" in renderer("markdown")(report)


def test_unvalidated_huge_or_non_finite_cell_numbers_reach_no_renderer() -> None:
    run = synthetic.run()
    broken = (
        run.results[0]
        .cells[0]
        .model_copy(
            update={
                "peak_memory_bytes": 10**400,
                "first_step_s": NAN,
                "train_samples_per_s": INF,
                "train_step": run.results[0].cells[0].train_step.model_copy(update={"median": NAN, "p95": 1e306}),  # type: ignore[union-attr]
            }
        )
    )
    results = [run.results[0].model_copy(update={"cells": [broken], "wall_s": INF}), run.results[1]]
    run = run.model_copy(update={"results": results, "wall_s": NAN})
    summary = summarize_run(run, ())
    row = summary.rows[0]
    assert (row.peak_mb, row.first_step_s, row.samples_per_s, row.train_ms, row.train_p95_ms) == (None,) * 5
    assert summary.wall_s == 0.0 and summary.frameworks[0].wall_s == 0.0
    _assert_renders_finite(_report(run))


# The property: whatever is changed in a valid saved run, the outcome is a report or one EvidenceError.

_SPECIAL = st.sampled_from(
    [
        *(NAN, INF, -INF, 0, 0.0, -1, -1e-9, 1e-320, 1e308, 10**400, 2**63, 2**50 + 1, True, None),
        *("", "NaN", "1e400", "2.0", "1.1", "pytorch", "tensorflow", "keras", "eager", "ok"),
        *([], {}, [NAN], {"x": 1}),
    ]
)
_VALUES = st.one_of(
    _SPECIAL,
    st.floats(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=12),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=3),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


PATHS = sorted(_paths(json.loads(_valid_document())), key=str)

_MUTATION = st.tuples(st.sampled_from(PATHS), st.sampled_from(["set", "delete", "add key"]), _VALUES)


def _mutate(doc: Document, path: tuple[Any, ...], action: str, value: Any) -> None:
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "add key" and isinstance(parent, dict):
        parent[f"extra_{value!s:.8}"] = value
    elif action == "delete" and isinstance(parent, dict):
        del parent[last]
    else:
        parent[last] = value


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("evidence")


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(_MUTATION, min_size=1, max_size=3), style=st.sampled_from(["json", "yaml"]))
def test_a_mutated_saved_run_gives_a_report_or_one_evidence_error(
    scratch: Path, mutations: list[tuple[tuple[Any, ...], str, Any]], style: str
) -> None:
    doc = _document()
    for path, action, value in mutations:
        try:
            _mutate(doc, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the parent: nothing to change
    saved = _write(scratch / f"results.{style}", doc, style)
    try:
        run = load_evidence(saved)
    except EvidenceError as error:
        assert error.path == str(saved) and error.line is not None
        assert error.field or error.message.startswith("invalid YAML"), error  # a schema error names its field
        return
    _assert_renders_finite(_report(run), user_text=True)


def test_the_progress_display_survives_hostile_child_events() -> None:
    """Start events reach the display unvalidated, from the child's stderr, on the reading thread."""
    out = io.StringIO()
    progress = ProbeProgress(Console(file=out, width=200, force_terminal=False, color_system=None))
    with progress:
        progress("pytorch", "launch", {"cells": "many"})
        progress("pytorch", "start", {})
        progress("pytorch", "start", {"workload": "[/bold] \x1b]0;pwned\x07", "mode": 7})
        progress("pytorch", "cell", {"workload": "x" * 10_000, "mode": None, "status": "\x1b[2J"})
        progress("pytorch", "start", [])  # type: ignore[arg-type]
        progress("tensorflow", "cell", {"workload": "cnn"})  # never launched
        progress("pytorch", "finished", {"status": "[red]ok"})
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "done: [red]ok" in shown


@pytest.mark.parametrize("edge", ["largest", "smallest"])
def test_the_extreme_valid_numbers_render_in_every_format(tmp_path: Path, edge: str) -> None:
    """Validation's bounds are the renderers' promise: at either edge, every format still renders."""
    big = edge == "largest"
    seconds = 1e6 if big else 5e-324
    doc = _document()
    for result in doc["results"]:
        result["wall_s"] = result["budget_s"] = 1e6 if big else 0.0
        for cell in result["cells"]:
            cell.update(
                peak_memory_bytes=2**50 if big else 0,
                nvml_process_memory_bytes=2**50 if big else 0,
                params=10**13 if big else 0,
                train_samples_per_s=1e15 if big else 0.0,
                infer_throughput_samples_per_s=1e15 if big else 0.0,
                energy_j_per_sample=1e6 if big else 0.0,
                first_step_s=1e6 if big else 0.0,
                train_step_samples=[seconds] * 3,
            )
            for stats in (cell["train_step"], cell["infer_b1"]):
                stats.update(median=seconds, p95=seconds, mean=seconds, iqr=0.0, n=10**13 if big else 1)
        for check in result["deploy_checks"]:
            check.update(artifact_bytes=2**50 if big else 0, convert_s=1e6 if big else 0.0, max_abs_error=1e300)
    for comparison in doc["comparisons"]:
        ratio = 1e6 if big else 1e-6
        comparison.update(
            ratio=ratio, low=ratio, high=ratio, outcome="counted", winner="tensorflow" if big else "pytorch"
        )
    run = load_evidence(_write(tmp_path / "results.json", doc))
    _assert_renders_finite(_report(run))
