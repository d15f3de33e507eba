"""Parity rules and converter messages, without any framework."""

from __future__ import annotations

import numpy as np

from advisor.probing.child.routes import check, converter_message, parity


def test_float_parity_uses_absolute_or_relative_tolerance() -> None:
    reference = np.array([[10.0, -20.0]])
    assert parity(reference, reference + 5e-5)[3]
    assert parity(reference, reference * (1 + 5e-4))[3]  # relative error 5e-4 within 1e-3
    assert not parity(reference, reference + 1.0)[3]


def test_int8_parity_is_relative_to_the_output_range() -> None:
    reference = np.array([[0.0, 1.0, 2.0]])
    assert parity(reference, reference + 0.15, quantized=True)[3]
    assert not parity(reference, reference + 0.5, quantized=True)[3]


def test_a_converter_error_becomes_a_failed_check_with_its_key_lines() -> None:
    def failing() -> tuple[object, object, None]:
        raise RuntimeError("loc(fused): pages of IR\nerror: 'tf.Svd' op is neither a custom op nor a flex op\nmore IR")

    result = check("mobile", "mlp", "a route", failing)
    assert result.status == "failed" and "'tf.Svd' op is neither a custom op" in result.message
    assert "pages of IR" not in result.message
    assert converter_message(ValueError("plain")) == "ValueError: plain"


def test_outputs_beyond_tolerance_fail_parity() -> None:
    result = check("server", "mlp", "a route", lambda: (np.ones(3), np.zeros(3), None))
    assert result.status == "parity_failed" and result.max_abs_error == 1.0
