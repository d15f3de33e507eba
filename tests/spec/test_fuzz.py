"""Seeded fuzzing of the spec reader: every file is accepted or gets one located SpecError, quickly.

A CI-sized run (about 3,000 documents in a few seconds) of the generator the bench's 10,000-document
campaign uses (``bench/fuzz_specs.py``): valid specs, nasty values and keys, raw YAML snippets,
mutated examples, aliases and nesting, plus hypothesis's own arbitrary text and bytes.
"""

from __future__ import annotations

import gc
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import SpecError
from advisor.knowledge.load import KnowledgeBase
from advisor.spec.load import load_spec
from tests.spec.fuzz_documents import generate
from tests.spec.watchdog import watchdog

LIMIT_S = 1.0


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # seeded: the same documents in every run
        database=None,
        deadline=None,  # timed below, per document, without hypothesis's re-runs
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def spec_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "fuzz.yaml"


def check(data: bytes, path: Path, kb: KnowledgeBase) -> None:
    """Accepted, or a SpecError naming the file (and its line when it names a field); never slow.

    Slowness is CPU time, which a busy CI machine does not inflate; the hangs of issue 11 spun the CPU.
    The garbage collector is paused while timing: in CI this process also holds PyTorch's and TensorFlow's
    heaps (framework tests run in it), and a full collection of those can take a second of CPU that says
    nothing about the spec reader.
    """
    path.write_bytes(data)
    gc.disable()
    start = time.process_time()
    try:
        with watchdog(10 * LIMIT_S):
            load_spec(path, kb)
    except SpecError as error:
        assert error.path == str(path), error
        assert error.field is None or error.line is not None, error
        assert str(error).startswith(str(path))
    finally:
        elapsed = time.process_time() - start
        gc.enable()
    assert elapsed < LIMIT_S, f"{elapsed:.2f} s of CPU for {data[:200]!r}"


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@_settings(2500)
@given(st.randoms(use_true_random=False))
def test_generated_documents(kb: KnowledgeBase, spec_file: Path, rng: random.Random) -> None:
    _, data = generate(rng, large=False)
    check(data, spec_file, kb)


@_settings(400)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text(kb: KnowledgeBase, spec_file: Path, text: str) -> None:
    check(text.encode("utf-8"), spec_file, kb)


@_settings(300)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(kb: KnowledgeBase, spec_file: Path, data: bytes) -> None:
    check(data, spec_file, kb)


def test_the_generator_covers_every_category() -> None:
    """The suite's share of the campaign: each kind of document shows up in the first thousand."""
    rng = random.Random(0)
    seen = {generate(rng, large=False)[0] for _ in range(1000)}
    assert seen == {"valid", "field", "key", "snippets", "mutated", "structure", "text", "bytes"}
