"""The Monte Carlo is reproducible and tracks the margin; the tipping points are exact."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from advisor.scoring.aggregate import Problem
from advisor.scoring.confidence import level, win_probability
from advisor.scoring.sensitivity import rating_tips, weight_tips


def _problem(
    weights: dict[str, float],
    a: dict[str, float],
    b: dict[str, float],
    groups: dict[str, str] | None = None,
    group_weights: dict[str, float] | None = None,
) -> Problem:
    criteria = list(weights)
    ratings = {(c, "a"): a[c] for c in criteria} | {(c, "b"): b[c] for c in criteria}
    group_of = groups or {c: "g" for c in criteria}
    names = set(group_of.values())
    return Problem(
        ["a", "b"],
        criteria,
        weights,
        ratings,
        {k: 0.3 for k in ratings},
        group_of,
        group_weights or {g: 1.0 for g in names},
        {g: 2.0 for g in names},
    )


BASE = _problem({"x": 2, "y": 1, "z": 1}, {"x": 4.5, "y": 2, "z": 3}, {"x": 3, "y": 4, "z": 3})


def test_seeded_monte_carlo_is_reproducible() -> None:
    assert win_probability(BASE, "a", 500, seed=1) == win_probability(BASE, "a", 500, seed=1)


def test_probability_tracks_the_margin() -> None:
    close = _problem({"x": 1, "y": 1}, {"x": 3.2, "y": 3}, {"x": 3, "y": 3.1})
    far = _problem({"x": 1, "y": 1}, {"x": 5, "y": 4}, {"x": 2, "y": 2})
    assert win_probability(far, "a", 500, 3) > 0.99 > win_probability(close, "a", 500, 3)
    assert level(0.95) == "high" and level(0.8) == "medium" and level(0.5) == "low"


def test_single_candidate_is_certain() -> None:
    only = Problem(
        ["a"], BASE.criteria, BASE.weights, BASE.ratings, BASE.sds, BASE.group_of, BASE.group_weights, {"g": 2.0}
    )
    assert win_probability(only, "a", 100, 0) == 1.0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.1, 5), st.floats(1, 5), st.floats(1, 5), st.sampled_from("xyz")),
        min_size=2,
        max_size=7,
    ),
    st.tuples(st.floats(0.1, 5), st.floats(0.1, 5), st.floats(0.1, 5)),
)
def test_weight_tipping_points_flip_exactly_at_the_threshold(
    rows: list[tuple[float, float, float, str]], group_weights: tuple[float, float, float]
) -> None:
    criteria = [f"c{i}" for i in range(len(rows))]
    problem = _problem(
        {c: r[0] for c, r in zip(criteria, rows, strict=False)},
        {c: r[1] for c, r in zip(criteria, rows, strict=False)},
        {c: r[2] for c, r in zip(criteria, rows, strict=False)},
        {c: r[3] for c, r in zip(criteria, rows, strict=False)},
        dict(zip("xyz", group_weights, strict=False)),
    )
    scores = problem.scores()
    winner = max(("a", "b"), key=scores.__getitem__)
    assume(abs(scores["a"] - scores["b"]) > 1e-6)  # a tie has no direction to tip
    for tip in weight_tips(problem, winner, max_weight=5):
        for side, expect_winner in ((-1e-7, winner), (1e-7, tip.new_winner)):
            step = side if tip.threshold > tip.current else -side
            moved = problem.with_weight(tip.target, max(0.0, tip.threshold + step)).scores()
            if abs(moved["a"] - moved["b"]) > 1e-9:
                assert max(moved, key=moved.__getitem__) == expect_winner, tip


def test_effective_weights_multiply_by_the_group_and_divide_by_its_reference() -> None:
    problem = Problem(
        ["a", "b"],
        ["x", "y", "z"],
        {"x": 1, "y": 3, "z": 2},
        {(c, f): 3.0 for c in "xyz" for f in "ab"},
        {(c, f): 0.3 for c in "xyz" for f in "ab"},
        {"x": "g1", "y": "g1", "z": "g2"},
        {"g1": 1, "g2": 3},
        {"g1": 4, "g2": 2},
    )
    assert problem.effective() == pytest.approx({"x": 0.25, "y": 0.75, "z": 3.0})
    assert problem.shares() == pytest.approx({"x": 0.0625, "y": 0.1875, "z": 0.75})


def test_rating_tipping_point_is_exact() -> None:
    tips = rating_tips(BASE, "a")
    assert tips
    tip = tips[0]
    assert tip.framework is not None
    moved = BASE.with_rating(tip.target, tip.framework, tip.threshold)
    assert moved.score("a") == pytest.approx(moved.score("b"))


def test_tips_are_sorted_by_relative_size_of_change() -> None:
    tips = weight_tips(BASE, "a", 5)
    assert tips
    changes = [abs(t.threshold - t.current) / max(t.current, 1.0) for t in tips]
    assert changes == sorted(changes)
