"""The route machinery without any framework: parity rules, converter messages, and how a route table
is run (which rows apply, what a missing package or an exhausted budget says, what is streamed)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from advisor.evidence.protocol import ProbeRequest
from advisor.probing.child.converter_errors import converter_message
from advisor.probing.child.parity import parity
from advisor.probing.child.routes import SYNTHETIC, Artifact, Route, Subject, check, run_routes
from advisor.probing.install_hints import CONVERTERS


@dataclass(kw_only=True)
class Doubling(Subject):
    """A "model" that doubles its input; its exports write a file and run a function of the caller's."""

    def run_source(self, inputs: tuple[Any, ...]) -> Any:
        return inputs[0] * 2


def export_as(function: Any) -> Any:
    def export(subject: Subject, folder: Path) -> Artifact:
        path = folder / "artifact.bin"
        path.write_bytes(b"1234")
        return Artifact(path, function)

    return export


def subject(**overrides: Any) -> Doubling:
    options: dict[str, Any] = {"workload": "mlp", "kind": SYNTHETIC, "inputs": (np.arange(3.0),)}
    options.update(overrides)
    return Doubling(**options)


def request(**overrides: Any) -> ProbeRequest:
    options: dict[str, Any] = {"framework": "pytorch", "workloads": ["mlp"], "threads": 1, "budget_s": 5}
    options.update({"deploy": ["server", "onnx"], **overrides})
    return ProbeRequest.model_validate(options)


def test_float_parity_uses_absolute_or_relative_tolerance() -> None:
    reference = np.array([[10.0, -20.0]])
    assert parity(reference, reference + 5e-5)[3]
    assert parity(reference, reference * (1 + 5e-4))[3]  # relative error 5e-4 within 1e-3
    assert not parity(reference, reference + 1.0)[3]


def test_int8_parity_is_relative_to_the_output_range() -> None:
    reference = np.array([[0.0, 1.0, 2.0]])
    assert parity(reference, reference + 0.15, quantized=True)[3]
    assert not parity(reference, reference + 0.5, quantized=True)[3]


def test_a_converter_error_becomes_a_failed_check_with_its_key_lines(tmp_path: Path) -> None:
    def failing(subject: Subject, folder: Path) -> Artifact:
        raise RuntimeError("loc(fused): pages of IR\nerror: 'tf.Svd' op is neither a custom op nor a flex op\nmore IR")

    result = check(Route("mobile", "a route", failing), subject(), tmp_path)
    assert result.status == "failed" and "'tf.Svd' op is neither a custom op" in result.message
    assert "pages of IR" not in result.message and result.convert_s is not None
    assert converter_message(ValueError("plain")) == "ValueError: plain"


def test_outputs_beyond_tolerance_fail_parity(tmp_path: Path) -> None:
    result = check(Route("server", "a route", export_as(lambda x: x[0] * 3)), subject(), tmp_path)
    assert result.status == "parity_failed" and result.max_abs_error == 2.0 and result.artifact_bytes == 4


def test_a_matching_export_passes_with_its_size_and_tolerance(tmp_path: Path) -> None:
    result = check(Route("server", "a route", export_as(lambda x: x[0] * 2)), subject(), tmp_path)
    assert result.status == "ok" and result.max_abs_error == 0.0 and "fp32" in (result.tolerance or "")
    int8 = check(Route("microcontroller", "a route", export_as(lambda x: x[0] * 2), parity="int8"), subject(), tmp_path)
    assert "int8" in (int8.tolerance or "")


def test_a_dynamic_route_is_also_checked_with_the_axes_doubled(tmp_path: Path) -> None:
    """An export that only runs at the example shape fails a route that keeps the declared dynamic axes."""
    inputs = (np.arange(3.0),)
    varied = (np.arange(6.0),)

    def only_three(x: tuple[Any, ...]) -> Any:
        if x[0].shape != (3,):
            raise ValueError("shape mismatch")
        return x[0] * 2

    model = subject(workload="model", kind="torch_factory", inputs=inputs, dims=[0], varied=varied)
    static = check(Route("mobile", "static", export_as(only_three)), model, tmp_path)
    dynamic = check(Route("server", "dynamic", export_as(only_three), dynamic=True), model, tmp_path)
    assert static.status == "ok"
    assert dynamic.status == "failed" and "declared dynamic axes [0] doubled" in dynamic.message


def test_a_route_that_cannot_run_here_says_why_and_what_it_converted(tmp_path: Path) -> None:
    never = Route("mobile", "a route", export_as(lambda x: x[0] * 2), runs_here=lambda: False, not_checked="no phone")
    result = check(never, subject(), tmp_path)
    assert result.status == "not_checked" and result.message.startswith("converted (0 KB in ")
    assert result.message.endswith(", but no phone")
    fixed = check(Route("browser", "a route", not_checked="needs a browser"), subject(), tmp_path)
    assert fixed.status == "not_checked" and fixed.message == "needs a browser"


def test_a_missing_package_is_not_checked_with_its_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = Route("onnx", "a route", export_as(lambda x: x[0] * 2), needs=("onnxruntime",))
    monkeypatch.setattr("advisor.probing.child.routes.missing_module", lambda *modules: modules[0])
    result = check(route, subject(), tmp_path)
    assert result.status == "not_checked"
    assert result.message == f"onnxruntime is not installed: {CONVERTERS['onnxruntime']}"


def test_route_names_are_filled_from_the_subject() -> None:
    route = Route("onnx", "export(x{shapes_arg}) then{shapes} then{static}", export_as(lambda x: x))
    assert route.describe(subject()) == "export(x) then then"
    own = subject(workload="model", kind="torch_factory", dims=[0, 1])
    assert route.describe(own) == "export(x, dynamic axes 0, 1) then (dynamic axes 0, 1) then (static shapes)"
    assert (
        route.describe(subject(dims=[], note=" [odd]"))
        == "export(x, static shapes) then (static shapes) then (static shapes) [odd]"
    )


def test_a_table_runs_per_subject_and_target_in_the_request_order(tmp_path: Path) -> None:
    ok = export_as(lambda x: x[0] * 2)
    table: tuple[Route[Any], ...] = (
        Route("server", "server one", ok),
        Route("onnx", "onnx one", ok),
        Route("server", "server for the team's model", ok, models=frozenset({"torch_factory"})),
        Route("mobile", "mobile, not requested", ok),
    )
    events: list[tuple[str, dict[str, Any]]] = []
    subjects = [subject(), subject(workload="model", kind="torch_factory"), subject(targets=frozenset({"onnx"}))]
    checks = run_routes(
        table, subjects, request(deploy=["onnx", "server"]), time.perf_counter(), lambda *e: events.append(e)
    )
    assert [(c.workload, c.route) for c in checks] == [
        ("mlp", "onnx one"),
        ("mlp", "server one"),
        ("model", "onnx one"),
        ("model", "server one"),
        ("model", "server for the team's model"),
        ("mlp", "onnx one"),
    ]
    assert all(c.status == "ok" for c in checks)
    starts = [payload for event, payload in events if event == "deploy_start"]
    assert starts == [
        {"targets": ["onnx", "server"], "workload": "mlp"},
        {"targets": ["onnx", "server"], "workload": "model"},
        {"targets": ["onnx"], "workload": "mlp"},
    ]
    streamed = [payload["route"] for event, payload in events if event == "deploy"]
    assert streamed == [c.route for c in checks]  # each check streamed as it finished, in order


def test_an_exhausted_budget_leaves_the_rest_not_checked() -> None:
    table = (Route("server", "server one", export_as(lambda x: x[0] * 2)),)
    started = time.perf_counter() - 5  # the deployment checks began 5 s ago, with 1 s to spend
    checks = run_routes(table, [subject()], request(deploy=["server"], deploy_budget_s=1), started, lambda *e: None)
    assert [(c.status, c.route, c.message) for c in checks] == [
        ("not_checked", "server one", "deployment-check budget exhausted")
    ]
