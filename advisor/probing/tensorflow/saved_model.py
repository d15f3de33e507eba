"""A team's TensorFlow SavedModel in the TensorFlow child: its serving signature, measured for inference
(eager is the signature as saved, compiled wraps it in ``tf.function(jit_compile=True)``), on inputs made
up from the signature, and handed to TensorFlow's route table as a SavedModel subject.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from advisor.evidence.protocol import OWN_MODEL, Mode, ProbeRequest
from advisor.probing.child.own_model import (
    MADE_UP,
    ModelLoadError,
    Parts,
    batch_inputs,
    batches,
    check_batch_axis,
    describe_inputs,
    made_up_inputs,
)
from advisor.probing.tensorflow.routes import SavedModelSubject


class SavedModelOwn:
    """A SavedModel's serving signature: inference only. Eager is the signature as saved (a traced graph,
    no XLA); compiled wraps it in ``tf.function(jit_compile=True)``."""

    def __init__(self, backend: Any, request: ProbeRequest) -> None:
        tf = backend.tf
        source = request.model
        assert source is not None
        self.tf, self.backend, self.source = tf, backend, source
        try:
            self.loaded = tf.saved_model.load(str(source.path))
        except Exception as error:
            first = str(error).splitlines()[0][:300] if str(error) else ""
            raise ModelLoadError(
                f"{source.ref}: {source.path} is not a TensorFlow SavedModel folder: {type(error).__name__}: {first}"
            ) from None
        signatures = dict(getattr(self.loaded, "signatures", {}) or {})
        if not signatures:
            raise ModelLoadError(f"{source.ref}: the SavedModel in {source.path} has no serving signature")
        self.signature_name = "serving_default" if "serving_default" in signatures else sorted(signatures)[0]
        self.function = signatures[self.signature_name]
        spec = self.function.structured_input_signature[1]
        self.names = sorted(spec)
        specs = [(n, tuple(spec[n].shape.as_list()), spec[n].dtype.as_numpy_dtype) for n in self.names]
        inputs = made_up_inputs(specs, source)
        self.parts = Parts(None, inputs, dynamic_dims=source.dynamic_dims or [0])
        example_batch = check_batch_axis(self.parts, source, lambda x: tuple(np.shape(x)))
        self.batches = batches(self.parts, example_batch)
        self.x = inputs
        self.x_b1, self.x_large = batch_inputs(
            inputs, self.parts, self.batches, example_batch, lambda x, times: np.concatenate([x] * times, 0)
        )
        variables = getattr(self.loaded, "variables", None) or []
        self.params = int(sum(int(np.prod(v.shape)) for v in variables))
        self.trainable = False

    def call(self, x: tuple[Any, ...]) -> Any:
        return self.function(**dict(zip(self.names, x, strict=True)))

    def settings(self) -> dict[str, Any]:
        return {
            "own_model": self.source.ref,
            "own_model_kind": self.source.kind,
            "own_model_signature": self.signature_name,
            "own_model_inputs": describe_inputs(self.x) + MADE_UP,
            "own_model_trainable": False,
            "own_model_eager": "the serving signature as saved (a traced graph without XLA)",
            "own_model_compile": "tf.function(jit_compile=True) around the serving signature",
        }

    def build(self, mode: Mode) -> SavedModelCell:
        return SavedModelCell(self, mode)

    def subject(self) -> SavedModelSubject:
        """The SavedModel for TensorFlow's route table (the SavedModel rows), with its made-up inputs."""
        inputs = self.x
        return SavedModelSubject(
            workload=OWN_MODEL,
            kind=self.source.kind,
            inputs=inputs,
            path=str(self.source.path),
            signature=self.signature_name,
            names=self.names,
            call=self.call,
            rows=[[x[row : row + 1] for x in inputs] for row in range(int(np.shape(inputs[0])[0]))],
        )


class SavedModelCell:
    def __init__(self, owner: SavedModelOwn, mode: Mode) -> None:
        self.owner = owner
        self.params = owner.params
        self.train_step = None
        call = owner.call
        self.run = owner.tf.function(call, jit_compile=True) if mode == "compiled" else call

    def infer_b1(self) -> None:
        with self.owner.tf.device(self.owner.backend.device):
            self.run(self.owner.x_b1)

    def infer_large(self) -> None:
        with self.owner.tf.device(self.owner.backend.device):
            self.run(self.owner.x_large)
