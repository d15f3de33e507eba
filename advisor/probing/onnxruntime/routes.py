"""onnxruntime's route table: an ``.onnx`` input already is the deployment artifact (measured above), so
every target is reported as not checked, with that reason."""

from __future__ import annotations

from typing import get_args

from advisor.evidence.protocol import DeployTarget
from advisor.probing.child.routes import Route, Subject

ROUTES: tuple[Route[Subject], ...] = tuple(
    Route(target, "onnxruntime (the input)", not_checked="the input is already an ONNX model; it is measured above")
    for target in get_args(DeployTarget)
)
