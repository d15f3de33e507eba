"""The arithmetic behaves as a reader expects, over generated specs and priorities (docs/arithmetic.md §3).

Every shipped example and casebook spec, and specs generated from the spec schema, with generated
priorities on top. The report is read back as JSON and every number it shows is recomputed by the small
independent implementation below (plain dicts, nothing from ``advisor.scoring``), to 1e-9.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from advisor.api import load_context
from advisor.errors import SpecError
from advisor.report.json_format import render
from advisor.scoring.evaluate import evaluate
from advisor.spec.load import parse_spec
from tests.conftest import EXAMPLES
from tests.spec.test_properties import specs as generated_specs

ROOT = Path(__file__).resolve().parents[2]
CASEBOOK = ROOT / "tests" / "casebook"
TOLERANCE = 1e-9
DRAWS = 50  # the Monte Carlo is not under test here; the fewer draws, the more specs per second


def _shipped() -> list[dict[str, Any]]:
    out = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.yaml"))]
    out += [yaml.safe_load(p.read_text(encoding="utf-8"))["spec"] for p in sorted(CASEBOOK.glob("*.yaml"))]
    for spec in out:
        spec.pop("probe", None)  # an own-model reference: not needed to score
    return out


SHIPPED = _shipped()
IDS = [
    "learning_curve", "debugging", "research_flexibility", "model_availability", "domain_libraries",
    "production_serving", "mobile_edge", "browser", "microcontroller", "training_performance",
    "inference_performance", "distributed_training", "hardware_support", "tooling_mlops",
    "community_hiring", "long_term_maintenance", "team_fit", "migration_cost",
    "development", "performance", "deployment", "ecosystem", "team",
]  # fmt: skip
weights = st.floats(0, 5, allow_nan=False).map(lambda x: round(x, 2))
priorities = st.dictionaries(st.sampled_from(IDS), weights, max_size=4)
base_specs = st.sampled_from(SHIPPED) | generated_specs
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KB, RULES = load_context()  # module-level, not fixtures: hypothesis would print them with every failure


def _report(spec: Mapping[str, Any], extra: Mapping[str, float]) -> dict:  # type: ignore[type-arg]
    data = dict(spec)
    data["priorities"] = {**spec.get("priorities", {}), **extra}
    try:
        parsed = parse_spec(yaml.safe_dump(data, allow_unicode=True), KB)
        report = evaluate(parsed, KB, RULES, draws=DRAWS)
    except SpecError:  # every weight 0: refused with a clear error, nothing to check
        assume(False)
        raise
    return json.loads(render(report))  # type: ignore[no-any-return]


# --- the independent implementation ------------------------------------------------------------------


def _candidates(report: Mapping[str, Any]) -> list[str]:
    return [s["framework"] for s in report["ranking"] if not s["excluded"]]


def _effective(report: Mapping[str, Any], weights: Mapping[str, float] | None = None) -> dict[str, float]:
    groups = {g["group"]: g for g in report["groups"]}
    out = {}
    for c in report["criteria"]:
        name = c["criterion"]
        group = groups[c["group"]]
        weight = c["weight"] if weights is None or name not in weights else weights[name]
        group_weight = group["weight"] if weights is None or c["group"] not in weights else weights[c["group"]]
        out[name] = weight * group_weight / group["reference"]
    return out


def _scores(report: Mapping[str, Any], weights: Mapping[str, float] | None = None, ratings: Any = None) -> dict:  # type: ignore[type-arg]
    effective = _effective(report, weights)
    total = sum(effective.values())
    rating = ratings or {
        (c["criterion"], f): c["ratings"][f]["value"] for c in report["criteria"] for f in c["ratings"]
    }
    frameworks = [s["framework"] for s in report["ranking"]]
    return {f: sum(effective[c] / total * rating[(c, f)] for c in effective) for f in frameworks}


def _lead(report: Mapping[str, Any], winner: str, scores: Mapping[str, float]) -> float:
    return scores[winner] - max(scores[f] for f in _candidates(report) if f != winner)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


# --- every number shown, recomputed ------------------------------------------------------------------


def check_report(report: Mapping[str, Any]) -> None:
    """Every number the report shows agrees with the independent implementation to 1e-9."""
    effective = _effective(report)
    total = sum(effective.values())
    for c in report["criteria"]:
        assert _close(c["effective_weight"], effective[c["criterion"]]), c["criterion"]
        assert _close(c["share"], effective[c["criterion"]] / total), c["criterion"]
    for g in report["groups"]:
        assert _close(g["share"], sum(c["share"] for c in report["criteria"] if c["group"] == g["group"]))
    scores = _scores(report)
    for s in report["ranking"]:
        assert _close(s["score"], scores[s["framework"]]), s
    winner = report["winner"]
    candidates = _candidates(report)
    assert winner == candidates[0] and scores[winner] >= max(scores[f] for f in candidates) - TOLERANCE
    for s in report["ranking"]:
        if not s["excluded"]:
            assert _close(s["margin"], scores[winner] - scores[s["framework"]])
    if len(candidates) > 1:
        assert _close(report["confidence"]["margin"], _lead(report, winner, scores))
    _check_reasons(report)
    _check_tornado(report)
    _check_tips(report)


def _check_reasons(report: Mapping[str, Any]) -> None:
    first, second = [s["framework"] for s in report["ranking"]][:2]
    by_id = {c["criterion"]: c for c in report["criteria"]}
    for reason in report["reasons"]:
        c = by_id[reason["criterion"]]
        gap = c["ratings"][first]["value"] - c["ratings"][second]["value"]
        assert _close(reason["contribution"], c["share"] * gap)


def _check_tornado(report: Mapping[str, Any]) -> None:
    winner = report["winner"]
    top = report["aggregation"]["max_weight"]
    for bar in report["tornado"]:
        for value, margin in ((0.0, bar["at_zero"]), (top, bar["at_max"])):
            scores = _scores(report, {bar["criterion"]: value})
            assert _close(margin, _lead(report, winner, scores)), bar


def _check_tips(report: Mapping[str, Any]) -> None:
    winner = report["winner"]
    ratings = {(c["criterion"], f): c["ratings"][f]["value"] for c in report["criteria"] for f in c["ratings"]}
    for tip in report["tipping_points"]:

        def scores_at(value: float, tip: Mapping[str, Any] = tip) -> dict:  # type: ignore[type-arg]
            if tip["kind"] == "rating":
                return _scores(report, ratings={**ratings, (tip["target"], tip["framework"]): value})
            return _scores(report, {tip["target"]: value})

        at = scores_at(tip["threshold"])
        assert _close(at[winner], at[tip["new_winner"]]), tip  # the gap is exactly 0 at the threshold
        lower, upper = (0.0, report["aggregation"]["max_weight"]) if tip["kind"] != "rating" else (1.0, 5.0)
        assert lower - TOLERANCE <= tip["threshold"] <= upper + TOLERANCE, tip
        assert (tip["direction"] == "raise") == (tip["threshold"] > tip["current"]), tip
        past = scores_at(tip["threshold"] + (1e-6 if tip["direction"] == "raise" else -1e-6))
        best = max(_candidates(report), key=lambda f: past[f])
        assert best == tip["new_winner"], tip
        if tip["kind"] != "rating":  # raising helps the side the lever favours; lowering, the other side
            favours_rival = _difference(report, tip["target"], tip["new_winner"], winner) > 0
            assert favours_rival == (tip["direction"] == "raise"), tip["text"]
        assert (
            " instead of " not in tip["text"]
            or tip["text"].split(" were ")[1].split(" instead of ")[0]
            != (tip["text"].split(" instead of ")[1].split(",")[0])
        ), tip["text"]
        assert "0.00 or less" not in tip["text"], tip["text"]


@pytest.mark.parametrize("index", range(len(SHIPPED)))
def test_every_number_of_every_shipped_report_is_recomputed(index: int) -> None:
    check_report(_report(SHIPPED[index], {}))


@SETTINGS
@given(base_specs, priorities)
def test_every_number_is_recomputed_under_any_priorities(spec: dict, extra: dict[str, float]) -> None:  # type: ignore[type-arg]
    check_report(_report(spec, extra))


# --- monotonicity --------------------------------------------------------------------------------------


def _item(report: Mapping[str, Any], target: str) -> Mapping[str, Any]:
    return next(x for x in [*report["criteria"], *report["groups"]] if x.get("criterion", x.get("group")) == target)


def _active(report: Mapping[str, Any], target: str) -> bool:
    """Whether ``target`` takes part in the score: not tied, and neither it nor its group at weight 0
    (for a group: some criterion of it weighs more than 0)."""
    groups = {g["group"]: g for g in report["groups"]}
    members = [c for c in report["criteria"] if target in (c["criterion"], c["group"])]
    return any(c["weight"] > 0 and groups[c["group"]]["weight"] > 0 for c in members)


def _difference(report: Mapping[str, Any], target: str, a: str, b: str) -> float:
    """The rating difference the gap moves toward: the criterion's, or the group's weighted one."""
    members = [c for c in report["criteria"] if target in (c["criterion"], c["group"])]
    total = sum(c["weight"] for c in members)
    return sum(c["weight"] * (c["ratings"][a]["value"] - c["ratings"][b]["value"]) for c in members) / total


@SETTINGS
@given(base_specs, priorities, st.sampled_from(IDS), weights, weights)
def test_raising_a_priority_raises_its_share_and_moves_every_gap_toward_its_difference(
    spec: dict,  # type: ignore[type-arg]
    extra: dict[str, float],
    target: str,
    x: float,
    y: float,
) -> None:
    low, high = sorted((x, y))
    assume(high - low >= 0.01)
    before = _report(spec, {**extra, target: low})
    after = _report(spec, {**extra, target: high})
    if not _active(after, target):
        return  # a tie, or zeroed by its group (or, for a group, by its criteria): no share to raise
    share_before, share_after = _item(before, target)["share"], _item(after, target)["share"]
    if share_after < 1 - TOLERANCE:  # the only weighted criterion (or group) keeps the whole score
        assert share_after > share_before, (target, low, high, share_before, share_after)
    candidates = _candidates(after)
    scores_before, scores_after = _scores(before), _scores(after)
    for a in candidates:
        for b in candidates:
            if a == b:
                continue
            d = _difference(after, target, a, b)
            gap_before = scores_before[a] - scores_before[b]
            gap_after = scores_after[a] - scores_after[b]
            lo, hi = sorted((gap_before, d))
            assert lo - TOLERANCE <= gap_after <= hi + TOLERANCE, (target, a, b, gap_before, gap_after, d)


@SETTINGS
@given(base_specs, priorities, st.sampled_from(IDS))
def test_priority_zero_removes_a_criterion_or_group(spec: dict, extra: dict[str, float], target: str) -> None:  # type: ignore[type-arg]
    report = _report(spec, {**extra, target: 0.0})
    removed = {c["criterion"] for c in report["criteria"] if target in (c["criterion"], c["group"])}
    assert all(c["share"] == 0 for c in report["criteria"] if c["criterion"] in removed)
    kept = [c for c in report["criteria"] if c["criterion"] not in removed]
    without = {**report, "criteria": kept}
    for s in report["ranking"]:
        assert _close(s["score"], _scores(without)[s["framework"]])
    mentioned = {t["target"] for t in report["tipping_points"]} | {b["criterion"] for b in report["tornado"]}
    assert not mentioned & removed and target not in mentioned
    assert not {r["criterion"] for r in report["reasons"]} & removed


@SETTINGS
@given(base_specs, priorities, st.sampled_from(["pytorch", "tensorflow", "jax"]))
def test_excluding_a_candidate_never_changes_the_order_of_the_others(
    spec: dict,  # type: ignore[type-arg]
    extra: dict[str, float],
    excluded: str,
) -> None:
    before = _report(spec, extra)
    constraints = dict(spec.get("constraints", {}))
    constraints["exclude_frameworks"] = sorted({*constraints.get("exclude_frameworks", []), excluded})
    assume(len(constraints["exclude_frameworks"]) < 3)
    after = _report({**spec, "constraints": constraints}, extra)
    order_before = [f for f in _candidates(before) if f != excluded]
    order_after = _candidates(after)
    assert order_after == [f for f in order_before if f in order_after]
