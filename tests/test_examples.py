"""Every example spec is valid and yields the pick its team would expect."""

from __future__ import annotations

import pytest

from advisor.api import recommend
from tests.conftest import EXAMPLES

EXPECTED = {
    "browser-pose-demo.yaml": "pytorch",  # a close call: see test_browser_demo_is_a_close_call
    "diffusion-media.yaml": "pytorch",
    "edge-asr-robotics.yaml": "pytorch",
    # Expert TF team, TF Serving and TFX in production, TF1 remnants, against a platform horizon and hiring:
    # the documented facts pull both ways, so the only right answer is "close" (either pick, not high).
    "fraud-scoring-platform.yaml": "close",
    "jax-tpu-research.yaml": "jax",  # a JAX team on TPUs: see tests/casebook/jax-tpu-team-research.yaml
    "keras-enterprise-forecasting.yaml": "tensorflow",
    "keyword-spotting-mcu.yaml": "tensorflow",
    "llm-finetuning-lab.yaml": "pytorch",
    # A PyTorch team with its own small CNN for Android (probe.model names it; --probe measures it)
    "own-model-mobile.yaml": "pytorch",
    "tpu-recommender.yaml": "tensorflow",
    "vision-mobile-startup.yaml": "pytorch",
    "windows-lab-segmentation.yaml": "pytorch",
}


def test_every_example_has_an_expectation() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_pick(name: str) -> None:
    report = recommend(EXAMPLES / name, draws=300)
    if EXPECTED[name] == "close":
        assert report.confidence is not None and report.confidence.level != "high"
    else:
        assert report.winner == EXPECTED[name], [(s.framework, s.score) for s in report.ranking]
    cited = {e.id for e in report.references}
    for criterion in report.criteria:
        for rating in criterion.ratings.values():
            for term in rating.terms:
                assert term.source.startswith("rule:") or term.source in cited


def test_windows_lab_excludes_tensorflow_with_cited_reason() -> None:
    report = recommend(EXAMPLES / "windows-lab-segmentation.yaml", draws=100)
    tf = next(s for s in report.ranking if s.framework == "tensorflow")
    assert tf.excluded and tf.exclusions[0].kind == "capability" and tf.exclusions[0].cites


def test_browser_demo_is_a_close_call() -> None:
    """TF.js's stalled releases against a tiny team with TF Hub weights: the report must say it is close."""
    report = recommend(EXAMPLES / "browser-pose-demo.yaml")
    assert report.confidence is not None and report.confidence.level == "low"
    assert any(t.new_winner == "tensorflow" for t in report.tipping_points)


def test_large_keras_estate_stays_on_tensorflow_for_cost_reasons() -> None:
    report = recommend(EXAMPLES / "keras-enterprise-forecasting.yaml", draws=300)
    against = [r.criterion for r in report.reasons if r.favours == "tensorflow"]
    assert against[:2] == ["migration_cost", "team_fit"]
