"""The terminal report and ``advisor migrate``'s summary fit the terminal (issue 12, terminal layout).

At 80 and 120 columns, for every example spec: no line is wider than the terminal, no cell is cut
(``…``), every knowledge id the output cites is printed whole (the reader passes it to ``advisor kb
show``), no ``#kb-`` anchor (a terminal cannot follow one), promises are kept ("listed below"), one
meaning per column name, and the migration summary stays under 150 lines with the full plan a flag away.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from advisor.api import migrate, recommend
from advisor.migration.model import MigrationPlan
from advisor.report import terminal_migration
from advisor.report._terminal_layout import DEFAULT_WIDTH, MAX_WIDTH
from advisor.report._text import MARGIN_MEANING, probe_cells
from advisor.report.markdown import migration_document
from advisor.report.terminal import deploy_table, probe_table, render
from advisor.scoring.result import Recommendation
from tests.conftest import EXAMPLES
from tests.probing import synthetic
from tests.report.golden import MIGRATE_CASES, SPECS, migrate_golden_path, migrate_rendered

WIDTHS = [80, 120]
SPEC_FILES = sorted(EXAMPLES.glob("*.yaml"))
MAX_MIGRATE_LINES = 150


@cache
def _report(spec: Path) -> Recommendation:
    return recommend(spec, draws=200)


@cache
def _plan(spec: Path, to: str) -> tuple[MigrationPlan, dict[str, str]]:
    plan, names, _ = migrate(spec, to)
    return plan, names


def _whole(kb_id: str, text: str) -> bool:
    """``kb_id`` appears as one token: not cut, not split over two lines, not part of a longer id."""
    return re.search(rf"(?<![\w-]){re.escape(kb_id)}(?![\w-])", text) is not None


def _fits(text: str, width: int) -> None:
    too_wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not too_wide, too_wide[:3]
    assert "…" not in text and "#kb-" not in text


def _cited(report: Recommendation) -> set[str]:
    """The ids the terminal report cites: the reasons' sources and the exclusions'."""
    return {c for r in report.reasons for c in r.cites} | {
        c for s in report.ranking for e in s.exclusions for c in e.cites
    }


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_the_report_fits_and_cites_every_id_whole(spec: Path, width: int) -> None:
    report = _report(spec)
    out = render(report, width=width)
    _fits(out, width)
    assert _cited(report), "every example has reasons with sources"
    assert [i for i in _cited(report) if not _whole(i, out)] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_every_id_of_every_reason_is_shown_not_just_the_first_three(width: int) -> None:
    report = _report(EXAMPLES / "fraud-scoring-platform.yaml")
    assert max(len(r.cites) for r in report.reasons) > 3  # the case the old table cut to three and "..."
    out = render(report, width=width)
    assert all(_whole(i, out) for r in report.reasons for i in r.cites) and "..." not in out


def test_margin_and_share_each_mean_one_thing() -> None:
    """The Why table's signed number is the Margin; Share is only ever a share of the score."""
    report = _report(EXAMPLES / "keras-enterprise-forecasting.yaml")
    for width in (*WIDTHS, MAX_WIDTH):
        out = render(report, width=width)
        assert MARGIN_MEANING.split(":")[0] in out and "Share = effective" in out.replace("\n", " ")
        why = out[out.index("Why") : out.index("Confidence")]
        assert "Share" not in why and f"{report.reasons[0].contribution:+.2f}" in why
    wide = render(report, width=120)
    assert re.search(r"┃ Favours +┃ Reason +┃ Margin ┃ Sources +┃", wide)
    assert re.search(r"┃ Criterion +┃ +Weight ┃ Eff\. ┃ Share ┃", wide)


@pytest.mark.parametrize("width", WIDTHS)
def test_listed_below_is_followed_by_the_list(width: int) -> None:
    """A plan that needs no migration says its staying costs are "listed below": they are, each with its id."""
    report = _report(EXAMPLES / "keras-enterprise-forecasting.yaml")
    assert report.migration is not None and report.migration.staying_costs
    out = render(report, width=width)
    below = out[out.index("listed below") :]
    for cost in report.migration.staying_costs:
        kb_id = re.search(r"\[([\w-]+)\]$", cost)
        assert kb_id and _whole(kb_id.group(1), below)
        assert " ".join(cost.split()[:6]) in " ".join(below.split())


def test_the_migration_line_names_frameworks_and_the_command() -> None:
    report = recommend(SPECS / "plant-app-keras3-code.yaml", evidence=synthetic.run())
    out = render(report, width=80)
    flat = " ".join(out.split())
    assert "Migration: TensorFlow / Keras to PyTorch, Keras 3 backend switch" in flat
    assert f"advisor migrate {SPECS / 'plant-app-keras3-code.yaml'}" in flat and "from tensorflow" not in flat


def test_the_width_defaults_to_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(EXAMPLES / "llm-finetuning-lab.yaml")
    monkeypatch.setenv("COLUMNS", "90")
    assert render(report) == render(report, width=90) != render(report, width=DEFAULT_WIDTH)
    monkeypatch.setenv("COLUMNS", "400")  # a very wide terminal: lines stop at MAX_WIDTH
    _fits(render(report), MAX_WIDTH)


# --- probe and deployment tables: narrow layouts ---------------------------------------------------


def _deploy_run():  # type: ignore[no-untyped-def]
    from advisor.evidence.protocol import DeployCheck

    failing = DeployCheck(
        target="mobile",
        workload="cnn",
        route="TFLiteConverter (float)",
        status="failed",
        message="error: 'tf.Svd' op is neither a custom op nor a flex op; see /very/long/path/to/the/converter/log.txt"
        + " | loc(fused[...]): IR" * 20,
    )
    working = synthetic.passing_check("mobile", "ExecuTorch", artifact_bytes=1000, convert_s=1.0)
    return synthetic.with_deploy_checks(synthetic.run(), {"pytorch": [working], "tensorflow": [failing]})


@pytest.mark.parametrize("width", [*WIDTHS, MAX_WIDTH])
def test_probe_and_deployment_sections_fit_with_every_figure_whole(width: int) -> None:
    report = recommend(SPECS / "plant-app-keras3-code.yaml", evidence=_deploy_run(), draws=200)
    probe = report.evidence.probe
    assert probe is not None and probe.rows and probe.deploy
    out = render(report, width=width)
    _fits(out, width)
    if width < MAX_WIDTH:  # the narrow layouts keep each figure on one line, and a message in one piece
        for row in probe.rows:
            assert all(cell in out for cell in probe_cells(row)), row
        assert "Route: TFLiteConverter (float)" in out and "Evidence for: mobile_edge" in out
        flat = " ".join(out.split())
        assert "error: 'tf.Svd' op is neither a custom op nor a flex op; see /very/long/path/to/the/converter/" in flat
        assert re.search(r"\[\d+ more characters: --format markdown shows them\]", flat)  # cut, and said so


@pytest.mark.parametrize("width", [60, 80, 120])
def test_advisor_probe_table_fits_the_cli_console(width: int) -> None:
    """``advisor probe`` prints :func:`probe_table` on its own console, as wide as the terminal; the
    layout follows that console's width (no cell like ``pyt… │ eag…``)."""
    rows = recommend(SPECS / "plant-app-keras3-code.yaml", evidence=synthetic.run(), draws=200).evidence.probe.rows  # type: ignore[union-attr]
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False)  # markup on, as the CLI's
    console.print(probe_table(rows, title="Probe results (cpu, fp32, budget quick, 45 s)"))
    out = buffer.getvalue()
    _fits(out, width)
    assert "pytorch" in out and "tensorflow" in out
    assert "9.96 / 10.25, 0.32, 30" in out if width >= 80 else all(n in out for n in ("9.96", "10.25,", "0.32,"))


def test_the_wide_layouts_where_the_terminal_is_wide_enough() -> None:
    run = _deploy_run()
    report = recommend(SPECS / "plant-app-keras3-code.yaml", evidence=run, draws=200)
    probe = report.evidence.probe
    assert probe is not None
    buffer = io.StringIO()
    console = Console(file=buffer, width=220, color_system=None, markup=False)
    console.print(probe_table(probe.rows), deploy_table(probe.deploy))
    out = buffer.getvalue()
    assert "Framework" in out and "Energy mJ/sample" in out and "Converter message or reason" in out
    _fits(out, 220)


# --- advisor migrate on a terminal -----------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("to", ["pytorch", "tensorflow"])
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_the_migration_summary_fits_and_points_at_the_full_plan(spec: Path, to: str, width: int) -> None:
    plan, names = _plan(spec, to)
    out = terminal_migration.render(plan, names, f"examples/{spec.name}", width=width)
    _fits(out, width)
    assert len(out.splitlines()) <= MAX_MIGRATE_LINES
    cited = plan.cites if plan.needed else [re.findall(r"\[([\w-]+)\]$", cost)[0] for cost in plan.staying_costs]
    assert [i for i in cited if not _whole(i, out)] == []
    if plan.needed:
        command = f"advisor migrate examples/{spec.name} --to {to} -f markdown"
        assert command in re.sub(r" \\\n +", " ", out)  # one command, broken only with a backslash
        assert f"{len(plan.api_map)} rows" in out
        assert all(f"{n}. {p.name}" in out for n, p in enumerate(plan.phases, 1))
        assert all(" ".join(r.risk.split()) in " ".join(out.split()) for r in plan.risks)


def test_the_full_plan_stays_in_markdown() -> None:
    """The flag the summary names gives every API-map row, which the terminal summary only counts."""
    spec = EXAMPLES / "tpu-recommender.yaml"
    plan, names, cited = migrate(spec, "pytorch")
    full = migration_document(plan, names, spec.name, cited)
    summary = terminal_migration.render(plan, names, spec.name, width=80)
    assert len(plan.api_map) > 20 and all(row.source in full for row in plan.api_map)
    assert not any(row.source in summary for row in plan.api_map if len(row.source) > 40)


def test_a_spec_file_name_is_quoted_for_the_shell_and_escaped() -> None:
    plan, names = _plan(EXAMPLES / "tpu-recommender.yaml", "pytorch")
    out = terminal_migration.render(plan, names, "my specs/tpu\x1b[2J.yaml", width=120)
    assert "advisor migrate 'my specs/tpu\\x1b[2J.yaml' --to pytorch -f markdown" in out and "\x1b" not in out


@pytest.mark.parametrize(("case", "to"), MIGRATE_CASES)
def test_migration_summary_matches_golden_file(case: str, to: str) -> None:
    expected = migrate_golden_path(case, to, "terminal").read_text(encoding="utf-8")
    assert migrate_rendered(case, to, "terminal") == expected, "review it, then run python -m tests.report.golden"
