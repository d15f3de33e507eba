"""The scaling probe's arithmetic, without starting a worker: joining reports into rows, the numerics
check, bus bandwidth, the cross-framework verdicts, and merging the files of several nodes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.probing.scale import (
    LOSS_TOLERANCE,
    bus_bandwidth,
    compare_scaling,
    join_rows,
    merge_nodes,
    numerics,
)
from tests.probing import scaling


def test_a_row_says_efficiency_exposed_communication_and_memory_per_worker() -> None:
    single = scaling.report("pytorch", 0, 1, 0.010, 1, reference=scaling.LOSSES)
    scaled = [scaling.report("pytorch", rank, 2, 0.020, 2 + rank) for rank in range(2)]
    (row,) = join_rows("pytorch", single, scaled, 2)
    assert row.status == "ok"
    assert row.single is not None and row.scaled is not None
    assert row.efficiency == pytest.approx(row.single.median / row.scaled.median)
    assert row.exposed_comm_s == pytest.approx(row.scaled.median - row.single.median)
    assert row.memory_scaled_bytes == 301 * 2**20  # the largest worker's peak, not rank 0's
    assert row.numerics is not None and row.numerics.ok


def test_losses_that_differ_from_the_single_process_make_an_error_not_a_figure() -> None:
    single = scaling.report("jax", 0, 1, 0.010, 1, reference=scaling.LOSSES)
    wrong = [2.31, 2.40, 2.50]
    scaled = [scaling.report("jax", rank, 2, 0.012, 2 + rank, losses=wrong) for rank in range(2)]
    (row,) = join_rows("jax", single, scaled, 2)
    assert row.status == "numerics_failed"
    assert row.efficiency is None and row.exposed_comm_s is None
    assert "not a scaling figure" in row.message
    assert row.numerics is not None and not row.numerics.ok


def test_the_numerics_check_allows_summation_order_and_no_more() -> None:
    close = numerics([2.0, 1.5], [2.0 * (1 + LOSS_TOLERANCE / 2), 1.5])
    far = numerics([2.0, 1.5], [2.0 * (1 + LOSS_TOLERANCE * 2), 1.5])
    assert close is not None and close.ok
    assert far is not None and not far.ok
    assert numerics([], [2.0]) is None  # nothing to compare: "not checked", never "ok"


@given(
    size=st.integers(4, 2**34),
    seconds=st.floats(1e-6, 10.0),
    workers=st.integers(2, 4096),
)
def test_bus_bandwidth_is_algorithm_bandwidth_times_2_n_minus_1_over_n(size: int, seconds: float, workers: int) -> None:
    algbw, busbw = bus_bandwidth(size, seconds, workers)
    assert algbw == pytest.approx(size / seconds / 1e9)
    assert busbw == pytest.approx(algbw * 2 * (workers - 1) / workers)
    assert busbw < 2 * algbw  # the correction approaches 2 from below


def test_a_clear_scaling_gap_is_counted_for_the_framework_that_scales_better() -> None:
    section = scaling.section({"pytorch": 1.2, "jax": 2.0})
    (comparison,) = [c for c in section.comparisons if c.metric == "scale_efficiency"]
    assert comparison.outcome == "counted"
    assert comparison.winner == "pytorch"
    assert comparison.ratio == pytest.approx(1.2 / 2.0, rel=0.05)


def test_noisy_scaling_is_not_counted() -> None:
    section = scaling.section({"pytorch": 1.2, "jax": 1.3}, jitter=0.6)
    (comparison,) = [c for c in section.comparisons if c.metric == "scale_efficiency"]
    assert comparison.outcome != "counted" and comparison.winner is None


def test_all_reduce_is_compared_at_the_largest_size_both_measured() -> None:
    section = scaling.section({"pytorch": 1.5, "tensorflow": 1.5}, allreduce={"pytorch": 0.002, "tensorflow": 0.008})
    (comparison,) = [c for c in section.comparisons if c.metric == "allreduce_time"]
    assert comparison.size_bytes == 1 << 24
    assert comparison.winner == "pytorch"


def test_rows_that_failed_are_not_compared() -> None:
    section = scaling.section({"pytorch": 1.2, "jax": 2.0})
    broken = [r.model_copy(update={"status": "error"}) if r.framework == "jax" else r for r in section.rows]
    assert compare_scaling(broken, []) == []


def test_merging_nodes_keeps_node_0s_timings_and_the_largest_memory() -> None:
    node0 = scaling.section({"pytorch": 1.5})
    bigger = [r.model_copy(update={"memory_scaled_bytes": 900 * 2**20}) for r in node0.rows]
    crashed = [f.model_copy(update={"status": "crashed", "message": "worker 3 died"}) for f in node0.frameworks]
    node1 = node0.model_copy(update={"rows": bigger, "frameworks": crashed, "nodes_seen": [1], "comparisons": []})
    merged = merge_nodes([node1, node0])
    assert merged.nodes_seen == [0, 1]
    assert merged.rows[0].scaled == node0.rows[0].scaled
    assert merged.rows[0].memory_scaled_bytes == 900 * 2**20
    assert merged.frameworks[0].status == "crashed" and "another node" in merged.frameworks[0].message
    assert merged.comparisons == node0.comparisons


def test_the_same_node_twice_is_refused() -> None:
    node0 = scaling.section({"pytorch": 1.5})
    with pytest.raises(ValueError, match="repeat a node"):
        merge_nodes([node0, node0])


def test_every_number_of_a_section_is_finite() -> None:
    section = scaling.section({"pytorch": 1.2, "tensorflow": 1.6, "jax": 2.0})
    for row in section.rows:
        assert row.efficiency is not None and math.isfinite(row.efficiency)


def test_a_framework_whose_launch_crashed_keeps_the_others_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_scale goes on after a crashed launch: the crashed framework says so, row by row, and the next
    framework's rows are whole."""
    from advisor.probing import scale
    from advisor.probing.scale_launch import Cluster, Ended

    def launch(framework, request, cluster, timeout_s):  # type: ignore[no-untyped-def]
        if framework == "pytorch" and request.workers == 2:
            return Ended((), "crashed", "worker 1 ended (killed by SIGKILL); the launch was stopped", 3.0)
        workers = request.workers
        reports = [
            scaling.report(
                framework, rank, workers, 0.010 * workers, rank, reference=scaling.LOSSES if workers == 1 else None
            )
            for rank in range(workers)
        ]
        return Ended(tuple(reports), "ok", "", 5.0)

    monkeypatch.setattr(scale, "run_launch", launch)
    monkeypatch.setattr(scale, "framework_installed", lambda framework: True)
    section = scale.run_scale(scaling.SETTINGS, ["pytorch", "jax"], Cluster(workers_per_node=2))
    status = {f.framework: (f.status, f.message) for f in section.frameworks}
    assert status["pytorch"][0] == "crashed" and "SIGKILL" in status["pytorch"][1]
    assert status["jax"] == ("ok", "")
    assert [(r.framework, r.status) for r in section.rows] == [("pytorch", "error"), ("jax", "ok")]
    assert "SIGKILL" in section.rows[0].message
