"""The parent side: a missing framework, a crash, a hang and a bad result all come back as data."""

from __future__ import annotations

import pytest

from advisor.probing import launcher
from tests.probing.child.fake_probe import fake_request


@pytest.fixture
def fake_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(launcher.MODULES, "pytorch", "tests.probing.child.fake_probe")
    monkeypatch.setattr(launcher, "framework_installed", lambda framework: True)


def test_missing_framework_is_reported_without_starting_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher.importlib.util, "find_spec", lambda name: None)
    result = launcher.run_probe(fake_request())
    assert result.status == "missing" and "pip install 'framework-advisor[torch]'" in result.message


@pytest.mark.usefixtures("fake_child")
def test_a_healthy_child_returns_exactly_its_result() -> None:
    events: list[str] = []
    result = launcher.run_probe(fake_request(), on_event=lambda kind, _: events.append(kind))
    assert result.status == "ok" and [c.status for c in result.cells] == ["ok", "ok"]
    assert result.environment is not None and events[0] == "environment" and events.count("cell") == 2


@pytest.mark.usefixtures("fake_child")
def test_a_crash_keeps_the_finished_cells() -> None:
    result = launcher.run_probe(fake_request(), extra_env={"ADVISOR_PROBE_FAULT": "crash"})
    assert result.status == "crashed" and "SIGABRT" in result.message
    assert [c.status for c in result.cells] == ["ok", "not_run"]


@pytest.mark.usefixtures("fake_child")
def test_a_hang_is_killed_at_the_time_out_and_keeps_the_finished_cells() -> None:
    result = launcher.run_probe(fake_request(), timeout_s=6, extra_env={"ADVISOR_PROBE_FAULT": "hang"})
    assert result.status == "timeout" and [c.status for c in result.cells] == ["ok", "not_run"]


@pytest.mark.usefixtures("fake_child")
def test_out_of_memory_in_one_cell_keeps_the_others() -> None:
    result = launcher.run_probe(fake_request(), extra_env={"ADVISOR_PROBE_FAULT": "oom:lstm"})
    assert result.status == "partial" and [c.status for c in result.cells] == ["ok", "oom"]


@pytest.mark.usefixtures("fake_child")
def test_a_bad_request_is_answered_with_an_error_result() -> None:
    result = launcher.run_probe(fake_request(workloads=[]), timeout_s=30)
    assert result.status in ("ok", "error")  # an empty plan is valid: nothing to measure
