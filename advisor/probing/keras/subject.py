"""A Keras model as TensorFlow's deployment routes convert it: the probe workloads' models and the team's
own alike (:mod:`advisor.probing.tensorflow.routes`).

Keras itself is not imported here: the model comes built, its inputs as NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.probing.child import litert
from advisor.probing.child.routes import Subject


@dataclass(kw_only=True)
class KerasSubject(Subject):
    """A ``keras.Model``, its example inputs (NumPy), and the rows that calibrate its int8 conversion."""

    model: Any
    rows: list[list[Any]] = field(default_factory=list)  # calibration: one list of batch-1 input rows each
    calibration: str = "calibrated on the example inputs"  # how the int8 route names its calibration data

    def run_source(self, inputs: tuple[Any, ...]) -> Any:
        return self.model(call_form(inputs), training=False)

    def wording(self) -> Mapping[str, str]:
        return {**super().wording(), "interpreter": litert.interpreter_name(), "calibration": self.calibration}


def call_form(inputs: tuple[Any, ...]) -> Any:
    """How a Keras model takes its inputs: one array alone, several as a list."""
    return inputs[0] if len(inputs) == 1 else list(inputs)
