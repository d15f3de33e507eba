"""A framework-free backend: steps sleep for fixed times. Runs in-process or as a real child
(``python -m tests.probing.child.fake_probe``) so the launcher's failure paths are tested without torch."""

from __future__ import annotations

import time
from typing import Any

from advisor.evidence.protocol import Environment, Mode, ProbeRequest
from advisor.probing.child.main import main
from advisor.probing.child.workloads import Workload, expected_params

STEP_S = {"mlp": 0.001, "cnn": 0.002, "transformer": 0.002, "lstm": 0.003}


def fake_request(**overrides: object) -> ProbeRequest:
    """A small CPU request for the fake backend (two quick workloads, eager only)."""
    options: dict[str, object] = {
        "framework": "pytorch",
        "workloads": ["mlp", "lstm"],
        "modes": ["eager"],
        "device": "cpu",
        "threads": 1,
        "budget_s": 3.0,
    }
    options.update(overrides)
    return ProbeRequest.model_validate(options)


class FakeCell:
    def __init__(self, workload: Workload, mode: Mode, slow_first: float) -> None:
        self.params = expected_params(workload.name)
        self._step = STEP_S[workload.name] * (0.5 if mode == "compiled" else 1.0)
        self._first = slow_first

    def train_step(self) -> None:
        time.sleep(self._first or self._step)
        self._first = 0.0

    def infer_b1(self) -> None:
        time.sleep(self._step / 4)

    def infer_large(self) -> None:
        time.sleep(self._step * 2)


class FakeBackend:
    framework = "pytorch"

    def __init__(self, slow_first: float = 0.0, fail_build: str | None = None) -> None:
        self.slow_first = slow_first
        self.fail_build = fail_build
        self.peak = 0

    def setup(self, request: ProbeRequest) -> dict[str, Any]:
        return {"threads": request.threads, "device": "cpu", "precision": request.precision}

    def environment(self, request: ProbeRequest) -> Environment:
        return Environment(
            os="test",
            python="3",
            framework_version="0",
            device="cpu",
            device_name="fake",
            gpu_visible=False,
            gpu_present=False,
            cpu_count=2,
        )

    def build(self, workload: Workload, mode: Mode) -> FakeCell:
        if workload.name == self.fail_build:
            raise RuntimeError("cannot build")
        return FakeCell(workload, mode, self.slow_first)

    def sync(self) -> None:
        pass

    def reset_peak_memory(self) -> None:
        self.peak = 0

    def peak_memory(self) -> tuple[int | None, str]:
        return 1024, "fake counter"

    def is_oom(self, error: BaseException) -> bool:
        return False


if __name__ == "__main__":
    raise SystemExit(main("pytorch", FakeBackend))
