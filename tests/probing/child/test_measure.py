"""The shared measurement loop with a fake backend: statuses, budgets and failures as data."""

from __future__ import annotations

import time

from advisor.evidence.protocol import CellResult, ProbeRequest
from advisor.probing.child.measure import run_cells
from tests.probing.child.fake_probe import FakeBackend, fake_request


def _run(backend: FakeBackend, request: ProbeRequest, fault: str = "") -> list[CellResult]:
    events: list[str] = []
    cells = run_cells(backend, request, time.perf_counter(), fault, lambda kind, _: events.append(kind))
    assert events.count("cell") == sum(1 for c in cells if c.status != "not_run")
    return cells


def test_cells_measure_every_metric() -> None:
    cells = _run(FakeBackend(), fake_request(budget_s=2.0))
    assert [c.status for c in cells] == ["ok", "ok"]
    mlp = cells[0]
    assert mlp.train_step is not None and 0.0009 < mlp.train_step.median < 0.01
    assert mlp.train_step.n >= 5 and len(mlp.train_step_samples) == mlp.train_step.n
    assert mlp.infer_b1 is not None and mlp.infer_b1.n >= 10
    assert mlp.infer_throughput_samples_per_s and mlp.peak_memory_bytes == 1024
    assert mlp.first_step_s is not None and mlp.params == 256 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10


def test_a_slow_first_step_is_reported_as_over_budget() -> None:
    cells = _run(FakeBackend(slow_first=0.8), fake_request(workloads=["mlp"], budget_s=1.0))
    assert cells[0].status == "budget_exceeded" and "first step" in cells[0].message


def test_a_build_failure_keeps_the_other_cells() -> None:
    cells = _run(FakeBackend(fail_build="mlp"), fake_request(budget_s=2.0))
    assert [c.status for c in cells] == ["error", "ok"] and "cannot build" in cells[0].message


def test_out_of_memory_is_its_own_status() -> None:
    cells = _run(FakeBackend(), fake_request(budget_s=2.0), fault="oom:lstm")
    assert [c.status for c in cells] == ["ok", "oom"]


def test_exhausted_budget_marks_the_rest_not_run() -> None:
    cells = run_cells(FakeBackend(), fake_request(budget_s=0.5), time.perf_counter() - 1.0, "", lambda *_: None)
    assert {c.status for c in cells} == {"not_run"}


def test_a_phase_whose_median_has_settled_ends_before_its_time() -> None:
    """Steady steps: each timed phase stops once its median is known to 2 %, however much time is left,
    so the budget is not spent on a figure the run already has (the quick probe's minute)."""
    from advisor.evidence.stats import SETTLE_MIN, settled

    (cell,) = _run(FakeBackend(), fake_request(workloads=["mlp"], modes=["eager"], budget_s=60.0))
    assert cell.status == "ok" and cell.train_step is not None and cell.infer_b1 is not None
    assert cell.train_step.n >= SETTLE_MIN and settled(cell.train_step_samples)
    assert cell.wall_s < 60.0 / 4  # its slice was the whole budget less the exit reserve: about 57 s
